import fs from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import * as k8s from '@kubernetes/client-node';
import { KubeRest } from '../kube/rest';
import { fluxState, requestReconcile } from '../gitops/loop/flux';
import {
  gitopsPaths,
  gitopsPorts,
  loopComponents,
} from '../gitops/loop/components';
import { cliScript, httpOk } from '../gitops/loop/loop';
import { CHARTS_PATH } from '../gitops/loop/gitServer';
import {
  applyObj as applyAs,
  describeGitops,
  eventually,
  FLUX_KUSTOMIZATIONS,
  getJson,
  labFixture,
  LabFixture,
  nodeProviders,
  providerOf,
  scratchGitRepository,
  scratchRepository,
  showPods,
} from './labFixture';

/**
 * Proofs of what the lab tree carries (docs/lab/services.md, docs/lab/gitops-loop.md): the lab
 * makes no look-up beyond this machine, and its plain-manifest services run where their intent
 * says. Needs `lab gitops up` (scripts/lab-test.sh --gitops).
 */

jest.setTimeout(900_000);

const HELM_REPOS = '/apis/source.toolkit.fluxcd.io/v1/helmrepositories';
const HELM_RELEASES = '/apis/helm.toolkit.fluxcd.io/v2/helmreleases';
const ZONE = 'topology.kubernetes.io/zone';
const FIELD_MANAGER = 'cloudlab-lab-tree-test';

const applyObj = (rest: KubeRest, p: string, obj: object) =>
  applyAs(rest, p, obj, FIELD_MANAGER);

/** The loop's Flux and VSO logs: every process of the loop that could reach out. */
const WATCHED_LOGS = [
  'source-controller',
  'kustomize-controller',
  'helm-controller',
  'vault-secrets-operator',
];

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);
const isLoopback = (host: string) =>
  LOOPBACK.has(host.toLowerCase()) || /^127\./.test(host);

/**
 * What in a Go program's log shows a look-up or a connection beyond the machine, with the host it
 * names. Every outgoing connection of a Go process goes through net.Dial: a name is resolved
 * first (its failures read `lookup <host>`), then connected (`dial tcp <ip>:<port>`), and Flux
 * logs every failed reconcile with that error chain and the URL it fetched. This machine reaches
 * nothing but package registries, so any attempt at a chart host or another remote fails and is
 * logged; a URL names the host even when the error is an HTTP one.
 */
function remoteReferences(text: string): string[] {
  const found: string[] = [];
  const patterns: Array<[RegExp, string]> = [
    [/\blookup ([^\s:]+)/g, 'DNS look-up'],
    [/\bdial (?:tcp|udp)[46]? (\[[^\]]+\]|[^\s:]+):\d+/g, 'connection'],
    [/\b(?:https?|oci):\/\/(\[[^\]]+\]|[^\s/:'"]+)/g, 'URL'],
  ];
  for (const [re, what] of patterns) {
    for (const m of text.matchAll(re)) {
      if (!isLoopback(m[1])) found.push(`${what} ${m[1]}: ${m[0]}`);
    }
  }
  return found;
}

describe('remoteReferences', () => {
  it('names DNS look-ups, connections and URLs to other hosts, and nothing on loopback', () => {
    expect(
      remoteReferences(
        'failed to fetch https://charts.hetzner.cloud/index.yaml : Get "https://charts.hetzner.cloud/index.yaml": dial tcp: lookup charts.hetzner.cloud on 10.0.0.2:53: no such host',
      ),
    ).toEqual([
      'DNS look-up charts.hetzner.cloud: lookup charts.hetzner.cloud',
      'URL charts.hetzner.cloud: https://charts.hetzner.cloud',
      'URL charts.hetzner.cloud: https://charts.hetzner.cloud',
    ]);
    expect(remoteReferences('dial tcp 203.0.113.7:443: i/o timeout')).toEqual([
      'connection 203.0.113.7: dial tcp 203.0.113.7:443',
    ]);
    expect(
      remoteReferences(
        'failed to fetch http://127.0.0.1:8480/charts/index.yaml : 404 Not Found; dial tcp 127.0.0.1:8200: connect: connection refused; http://localhost:9790/x',
      ),
    ).toEqual([]);
  });
});

/** Bytes each watched log has now, to read what is appended after. */
function logOffsets(logs: string): Map<string, number> {
  return new Map(
    WATCHED_LOGS.map(n => {
      const f = path.join(logs, `${n}.log`);
      return [n, fs.existsSync(f) ? fs.statSync(f).size : 0];
    }),
  );
}

function appendedSince(logs: string, offsets: Map<string, number>) {
  return new Map(
    WATCHED_LOGS.map(n => {
      const f = path.join(logs, `${n}.log`);
      const from = offsets.get(n) ?? 0;
      const buf = fs.readFileSync(f);
      return [n, buf.subarray(Math.min(from, buf.length)).toString('utf8')];
    }),
  );
}

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

/**
 * Waits (a minute at most) until every process of the loop answers its health URL. Asked over
 * HTTP rather than by pid: the pid files name binaries by the path of the checkout that started
 * the loop, which another worktree of the repository does not match.
 */
async function requireLoopAnswers(fx: LabFixture) {
  const components = loopComponents(fx.paths, cliScript(fx.paths));
  await eventually(
    'every process of the GitOps loop healthy (else: yarn lab gitops up)',
    async () => {
      const down = [];
      for (const c of components) {
        // https health URLs are checked against the lab's CA, as the loop itself checks them.
        if (!(await httpOk(c.health, c.ca)))
          down.push(`${c.health}: unhealthy`);
      }
      return down;
    },
    down => down.length === 0,
    down => down.join('; '),
    60_000,
  );
}

describeGitops('the lab stays on this machine', () => {
  let fx: LabFixture;
  let rest: KubeRest;

  beforeAll(async () => {
    fx = await labFixture();
    rest = fx.clients.rest;
    await requireLoopAnswers(fx);
  });

  it('points every chart source at the loopback Git server, which refuses each chart at once, and the HelmReleases say so', async () => {
    const charts = `http://127.0.0.1:${gitopsPorts().git}${CHARTS_PATH}`;
    const repos = (await getJson(rest, HELM_REPOS))?.items ?? [];
    expect(repos.length).toBeGreaterThan(0);
    for (const r of repos) {
      expect(`${r.metadata.name} ${r.spec.url}`).toBe(
        `${r.metadata.name} ${charts}`,
      );
      await requestReconcile(
        rest,
        `HelmRepository/${r.metadata.name}`,
        r.metadata.namespace,
      );
    }
    const states = await eventually(
      'every HelmRepository not Ready with the 404 of the loopback chart path',
      async () =>
        ((await getJson(rest, HELM_REPOS))?.items ?? []).map((o: any) =>
          fluxState('HelmRepository', o),
        ),
      (l: ReturnType<typeof fluxState>[]) =>
        l.every(s => s.ready === 'False' && s.message.includes('404')),
      l => JSON.stringify(l.map(s => [s.name, s.ready, s.message])),
      120_000,
    );
    for (const s of states) expect(s.message).toContain(CHARTS_PATH);
    const releases = ((await getJson(rest, HELM_RELEASES))?.items ?? []).map(
      (o: any) => fluxState('HelmRelease', o),
    );
    expect(releases.length).toBeGreaterThan(0);
    for (const h of releases) {
      expect(`${h.name} ${h.ready}`).toBe(`${h.name} False`);
      expect(h.message).not.toBe('');
    }
  });

  it('logs no DNS look-up or connection beyond the machine in a window of more than 60 s with every source reconciled', async () => {
    const logs = fx.paths.logs;
    const offsets = logOffsets(logs);
    const started = Date.now();
    // Ask every source to fetch again at the start and in the middle of the window, so that the
    // window holds real attempts rather than an idle log.
    const sources = async () => {
      for (const kind of ['HelmRepository', 'GitRepository'] as const) {
        const plural =
          kind === 'HelmRepository' ? 'helmrepositories' : 'gitrepositories';
        const items =
          (await getJson(rest, `/apis/source.toolkit.fluxcd.io/v1/${plural}`))
            ?.items ?? [];
        for (const o of items)
          await requestReconcile(
            rest,
            `${kind}/${o.metadata.name}`,
            o.metadata.namespace,
          );
      }
    };
    await sources();
    await sleep(35_000);
    await sources();
    await sleep(Math.max(0, 65_000 - (Date.now() - started)));
    const windowSeconds = (Date.now() - started) / 1000;
    expect(windowSeconds).toBeGreaterThanOrEqual(60);
    const appended = appendedSince(logs, offsets);
    // Not vacuous: source-controller tried the chart sources in the window and logged the answer.
    expect(appended.get('source-controller')).toContain(
      `127.0.0.1:${gitopsPorts().git}${CHARTS_PATH}`,
    );
    const findings = WATCHED_LOGS.flatMap(n =>
      remoteReferences(appended.get(n) ?? '').map(f => `${n}.log: ${f}`),
    );
    expect(findings).toEqual([]);
    console.log(
      `lab tree: ${windowSeconds.toFixed(0)} s of ${WATCHED_LOGS.join(
        ', ',
      )} logs: no look-up or connection beyond loopback`,
    );
  });
});

/** A Flux Kustomization of the lab cluster's apps layer, as the tree declares it. */
interface FluxKustomization {
  metadata: { name: string; namespace: string };
  spec: Record<string, any>;
}

/** The lab services: the Flux Kustomizations the catalog's lab-services entities claim. */
function labServiceKustomizations(root: string): FluxKustomization[] {
  const claimed = new Set(
    parseAllDocuments(
      fs.readFileSync(
        path.join(root, 'catalog/components/lab-services.yaml'),
        'utf8',
      ),
    )
      .map(d => d.toJS())
      .flatMap(
        e =>
          e?.metadata?.annotations?.['cloudlab.dev/flux-kustomizations']?.split(
            ',',
          ) ?? [],
      ),
  );
  const declared = parseAllDocuments(
    fs.readFileSync(path.join(root, 'gitops/clusters/lab/apps.yaml'), 'utf8'),
  )
    .map(d => d.toJS() as FluxKustomization)
    .filter(k => claimed.has(k?.metadata?.name));
  const missing = [...claimed].filter(
    n => !declared.some(k => k.metadata.name === n),
  );
  if (missing.length)
    throw new Error(
      `catalog/components/lab-services.yaml claims ${missing.join(
        ', ',
      )}, not in gitops/clusters/lab/apps.yaml`,
    );
  return declared;
}

/** What each service's manifests ask for, checked against where its pods run. */
type Intent =
  | { kind: 'spread-providers'; providers: string[] }
  | { kind: 'spread-zones'; provider: string }
  | { kind: 'stateful'; provider: string }
  | { kind: 'zone'; provider: string; zone: string }
  | { kind: 'batch'; provider: string };

const INTENTS: Record<string, { namespace: string; intent: Intent }> = {
  'apps-whoami': {
    namespace: 'whoami',
    intent: { kind: 'spread-providers', providers: ['hetzner', 'scaleway'] },
  },
  'apps-httpbin': {
    namespace: 'httpbin',
    intent: { kind: 'spread-zones', provider: 'scaleway' },
  },
  'apps-redis-hetzner': {
    namespace: 'redis-hetzner',
    intent: { kind: 'stateful', provider: 'hetzner' },
  },
  'apps-redis-scaleway': {
    namespace: 'redis-scaleway',
    intent: { kind: 'stateful', provider: 'scaleway' },
  },
  'apps-memcached': {
    namespace: 'memcached',
    intent: { kind: 'zone', provider: 'hetzner', zone: 'fsn1-dc14' },
  },
  'apps-housekeeping': {
    namespace: 'housekeeping',
    intent: { kind: 'batch', provider: 'scaleway' },
  },
};

/**
 * What is wrong with where a service's pods run, measured against its intent (empty: nothing).
 * Topology spread with maxSkew 1 means the domains differ by one pod at most.
 */
function placementProblems(
  intent: Intent,
  pods: k8s.V1Pod[],
  nodes: Map<string, k8s.V1Node>,
  claims: k8s.V1PersistentVolumeClaim[],
  volumes: Map<string, k8s.V1PersistentVolume>,
  fx: LabFixture,
): string[] {
  const nodeOf = (p: k8s.V1Pod) => nodes.get(p.spec?.nodeName ?? '');
  const providers = pods.map(p => providerOf(nodeOf(p)) ?? '?');
  const zones = pods.map(p => nodeOf(p)?.metadata?.labels?.[ZONE] ?? '?');
  const skew = (values: string[], domains: string[]) => {
    const counts = domains.map(d => values.filter(v => v === d).length);
    return Math.max(...counts) - Math.min(...counts);
  };
  const only = (what: string, values: string[], want: string) =>
    values.every(v => v === want)
      ? []
      : [`${what} ${[...new Set(values)].join(',')}, expected only ${want}`];
  switch (intent.kind) {
    case 'spread-providers':
      return skew(providers, intent.providers) <= 1 &&
        intent.providers.every(p => providers.includes(p))
        ? []
        : [
            `providers ${providers.join(',')} not spread over ${
              intent.providers
            }`,
          ];
    case 'spread-zones': {
      const used = [...new Set(zones)];
      return [
        ...only('provider', providers, intent.provider),
        ...(used.length > 1 && skew(zones, used) <= 1
          ? []
          : [`zones ${zones.join(',')} not spread`]),
      ];
    }
    case 'zone':
      return [
        ...only('provider', providers, intent.provider),
        ...only('zone', zones, intent.zone),
      ];
    case 'stateful': {
      const provider = fx.providers.find(p => p.name === intent.provider)!;
      const out = only('provider', providers, intent.provider);
      if (claims.length === 0) out.push('no PersistentVolumeClaim');
      for (const c of claims) {
        const pv = volumes.get(c.spec?.volumeName ?? '');
        const claim = `claim ${c.metadata?.name}`;
        if (c.status?.phase !== 'Bound')
          out.push(`${claim} ${c.status?.phase}`);
        if (
          !provider.storage.classes.some(
            k => k.name === c.spec?.storageClassName,
          )
        )
          out.push(
            `${claim} class ${c.spec?.storageClassName} is not ${provider.name}'s`,
          );
        if (pv?.spec?.csi?.driver !== provider.storage.csiDriver)
          out.push(`${claim} volume driver ${pv?.spec?.csi?.driver}`);
        // The volume's CSI topology holds the node the pod runs on.
        const key = provider.storage.topologyKey;
        const here = nodeOf(pods[0])?.metadata?.labels?.[key];
        const terms = pv?.spec?.nodeAffinity?.required?.nodeSelectorTerms ?? [];
        if (
          !terms.some(t =>
            (t.matchExpressions ?? []).some(
              e => e.key === key && (e.values ?? []).includes(here ?? ''),
            ),
          )
        )
          out.push(`${claim} volume not attachable at ${key}=${here}`);
      }
      return out;
    }
    default:
      return [];
  }
}

const PROOF_SOURCE = 'lab-services-proof';

describeGitops('the lab’s plain-manifest services', () => {
  let fx: LabFixture;
  let rest: KubeRest;
  let services: FluxKustomization[];
  /** Flux Kustomizations this test applied (the root did not carry them yet); deleted after. */
  const applied: string[] = [];

  beforeAll(async () => {
    fx = await labFixture();
    rest = fx.clients.rest;
    await requireLoopAnswers(fx);
    services = labServiceKustomizations(fx.paths.root);
    const names = services.map(k => k.metadata.name).sort();
    if (names.join() !== Object.keys(INTENTS).sort().join())
      throw new Error(
        `the lab services (${names}) and the intents this proof checks (${Object.keys(
          INTENTS,
        )}) differ: give each service its intent`,
      );
    // The lab's root follows `main`; until this checkout's services are on main, reconcile them
    // from this checkout's commit, under the same names, through a scratch source.
    const missing = [];
    for (const k of services) {
      const live = await getJson(
        rest,
        `${FLUX_KUSTOMIZATIONS}/${k.metadata.name}`,
      );
      if (
        !live ||
        live.metadata?.labels?.['kustomize.toolkit.fluxcd.io/name'] !==
          'flux-system'
      )
        missing.push(k);
    }
    if (missing.length === 0) return;
    const bare = path.join(
      gitopsPaths(fx.paths).gitRoot,
      `${PROOF_SOURCE}.git`,
    );
    fs.rmSync(bare, { recursive: true, force: true });
    scratchRepository(fx, bare);
    await applyObj(
      rest,
      `/apis/source.toolkit.fluxcd.io/v1/namespaces/flux-system/gitrepositories/${PROOF_SOURCE}`,
      scratchGitRepository(PROOF_SOURCE),
    );
    for (const k of missing) {
      await applyObj(rest, `${FLUX_KUSTOMIZATIONS}/${k.metadata.name}`, {
        apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
        kind: 'Kustomization',
        metadata: { name: k.metadata.name, namespace: 'flux-system' },
        spec: {
          ...k.spec,
          interval: '1m',
          sourceRef: { kind: 'GitRepository', name: PROOF_SOURCE },
        },
      });
      applied.push(k.metadata.name);
    }
  });

  afterAll(async () => {
    // Deleting a Kustomization with prune removes what it applied (namespaces, claims).
    for (const name of applied)
      await rest.request('DELETE', `${FLUX_KUSTOMIZATIONS}/${name}`);
    if (applied.length) {
      await rest.request(
        'DELETE',
        `/apis/source.toolkit.fluxcd.io/v1/namespaces/flux-system/gitrepositories/${PROOF_SOURCE}`,
      );
      fs.rmSync(
        path.join(gitopsPaths(fx.paths).gitRoot, `${PROOF_SOURCE}.git`),
        {
          recursive: true,
          force: true,
        },
      );
    }
  });

  it('reconciles each service: its Flux Kustomization Ready', async () => {
    const r = rest;
    for (const k of services) {
      const o = await eventually(
        `${k.metadata.name} Ready`,
        () => getJson(r, `${FLUX_KUSTOMIZATIONS}/${k.metadata.name}`),
        v => fluxState('Kustomization', v).ready === 'True',
        v => JSON.stringify(v && fluxState('Kustomization', v)),
        300_000,
      );
      expect(fluxState('Kustomization', o).inventory).toBeGreaterThan(3);
    }
  });

  it('runs each service where its intent says: providers, zones, and volumes bound on the provider', async () => {
    const { core } = fx.clients;
    const nodes = await nodeProviders(fx.clients);
    const problems: string[] = [];
    for (const [name, { namespace, intent }] of Object.entries(INTENTS)) {
      if (intent.kind === 'batch') continue;
      const pods = await eventually(
        `${name}: pods Running`,
        async () => (await core.listNamespacedPod({ namespace })).items,
        l =>
          l.length > 0 &&
          l.every(p => p.status?.phase === 'Running' && p.spec?.nodeName),
        showPods,
        180_000,
      );
      const claims = (
        await fx.clients.core.listNamespacedPersistentVolumeClaim({ namespace })
      ).items;
      const volumes = new Map<string, k8s.V1PersistentVolume>();
      for (const c of claims)
        if (c.spec?.volumeName)
          volumes.set(
            c.spec.volumeName,
            await fx.clients.core.readPersistentVolume({
              name: c.spec.volumeName,
            }),
          );
      problems.push(
        ...placementProblems(intent, pods, nodes, claims, volumes, fx).map(
          m => `${name}: ${m} (${showPods(pods)})`,
        ),
      );
    }
    expect(problems).toEqual([]);
  });

  it('runs the batch job, tolerating the batch taint, on its provider', async () => {
    const { namespace, intent } = INTENTS['apps-housekeeping'];
    if (intent.kind !== 'batch')
      throw new Error('apps-housekeeping is the batch service');
    const cron = await getJson(
      rest,
      `/apis/batch/v1/namespaces/${namespace}/cronjobs/housekeeping`,
    );
    expect(cron.spec.jobTemplate.spec.template.spec.tolerations).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          key: 'cloudlab.dev/pool',
          effect: 'NoSchedule',
        }),
      ]),
    );
    // A run now, from the CronJob's own template (what `kubectl create job --from=cronjob/…` does).
    const job = `housekeeping-proof-${Date.now()}`;
    const r = await rest.request(
      'POST',
      `/apis/batch/v1/namespaces/${namespace}/jobs`,
      JSON.stringify({
        apiVersion: 'batch/v1',
        kind: 'Job',
        metadata: {
          name: job,
          namespace,
          annotations: { 'cronjob.kubernetes.io/instantiate': 'manual' },
        },
        spec: cron.spec.jobTemplate.spec,
      }),
    );
    expect(r.status).toBeLessThan(300);
    try {
      const pods = await eventually(
        `${job}: its pod scheduled and finished`,
        async () =>
          (
            await fx.clients.core.listNamespacedPod({
              namespace,
              labelSelector: `job-name=${job}`,
            })
          ).items,
        l => l.length > 0 && l.every(p => p.status?.phase === 'Succeeded'),
        showPods,
        120_000,
      );
      const nodes = await nodeProviders(fx.clients);
      for (const p of pods)
        expect(providerOf(nodes.get(p.spec!.nodeName!))).toBe(intent.provider);
    } finally {
      await rest.request(
        'DELETE',
        `/apis/batch/v1/namespaces/${namespace}/jobs/${job}?propagationPolicy=Background`,
      );
    }
  });
});
