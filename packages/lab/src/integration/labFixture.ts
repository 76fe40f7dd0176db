import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import * as k8s from '@kubernetes/client-node';
import { labClients, LabClients } from '../kube/client';
import { gitopsStatus } from '../gitops/loop/loop';
import {
  fluxArtifactAddress,
  gitopsPaths,
  gitopsPorts,
} from '../gitops/loop/components';
import { KubeRest } from '../kube/rest';
import { defaultKustomizeCommand } from '@cloudlab/plugin-multi-provider-node';
import type { EntityPlacementResponse } from '@cloudlab/plugin-multi-provider-common';
import { LabPaths, labPaths } from '../paths';
import { startComponent, stopComponent } from '../commands/component';
import { COMPONENTS, Component } from '../controlPlane/components';
import { healthCheck } from '../lab';
import {
  loadProviders,
  Provider,
  PROVIDER_LABEL,
} from '../registry/labProviders';

/**
 * A `describe` that runs only when every variable in `needs` is set (scripts/lab-test.sh sets
 * them once the lab is up). Otherwise the suite is skipped and says so in the output of
 * `yarn test`, with the command that runs it, so a skipped proof is never mistaken for a
 * passing one.
 */
function describeWhen(needs: string[], what: string, command: string) {
  return (name: string, fn: () => void) => {
    const unset = needs.filter(v => !process.env[v]);
    if (unset.length) {
      // Written past jest's console capture: jest prints no console output of a file whose
      // tests were all skipped.
      process.stderr.write(
        `lab suite skipped: "${name}" needs ${what} (${unset.join(
          ', ',
        )} unset). Run it with: ${command}\n`,
      );
    }
    const suite = unset.length ? describe.skip : describe;
    suite(name, fn);
  };
}

/** Integration tests run only against a running lab. */
export const describeLab = describeWhen(
  ['CLOUDLAB_LAB_INTEGRATION'],
  'a running lab',
  'bash scripts/lab-test.sh',
);

/** Proofs of the GitOps loop: also need `lab gitops up`. */
export const describeGitops = describeWhen(
  ['CLOUDLAB_LAB_INTEGRATION', 'CLOUDLAB_LAB_GITOPS'],
  'a running lab with the GitOps loop (Flux, VSO, Vault)',
  'bash scripts/lab-test.sh --gitops',
);

/** Shared handles for the integration tests. */
export interface LabFixture {
  clients: LabClients;
  providers: Provider[];
  paths: ReturnType<typeof labPaths>;
}

/** Connects to the running lab with the admin kubeconfig. */
export async function labFixture(): Promise<LabFixture> {
  const paths = labPaths();
  if (!fs.existsSync(paths.kubeconfig)) {
    throw new Error(
      `no lab kubeconfig at ${paths.kubeconfig}: run scripts/lab-test.sh (it starts the lab)`,
    );
  }
  return {
    clients: labClients(paths.kubeconfig),
    providers: await loadProviders(paths.providersDir),
    paths,
  };
}

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

/** Polls `read` until `ok` holds; on timeout fails with `describe(lastValue)` so the cause is visible. */
export async function eventually<T>(
  what: string,
  read: () => Promise<T>,
  ok: (v: T) => boolean,
  show: (v: T) => string,
  timeoutMs = 90_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = await read();
  while (!ok(last)) {
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${
          timeoutMs / 1000
        }s waiting for ${what}; last seen: ${show(last)}`,
      );
    }
    await sleep(1000);
    last = await read();
  }
  return last;
}

/**
 * Creates a namespace for a test and waits for its `default` ServiceAccount.
 * The ServiceAccount admission plugin refuses pods in a namespace whose
 * service-account controller has not caught up yet ("serviceaccount default
 * not found"), so a test that creates bare pods right away would race it. After
 * a suite restarts the API server, the controller-manager's informers reconnect
 * with backoff, and that lag can be several seconds.
 */
export async function createTestNamespace(
  clients: LabClients,
  name: string,
): Promise<void> {
  await clients.core.createNamespace({ body: { metadata: { name } } });
  await eventually(
    `the default ServiceAccount of namespace ${name}`,
    () =>
      clients.core
        .readNamespacedServiceAccount({ name: 'default', namespace: name })
        .then(
          () => true,
          () => false,
        ),
    found => found,
    () => 'not created yet',
  );
}

/** Node name -> provider label. */
export async function nodeProviders(
  clients: LabClients,
): Promise<Map<string, k8s.V1Node>> {
  const nodes = (await clients.core.listNode()).items;
  return new Map(nodes.map(n => [n.metadata!.name!, n]));
}

/** Provider of a node object. */
export const providerOf = (n: k8s.V1Node | undefined) =>
  n?.metadata?.labels?.[PROVIDER_LABEL];

/** Pi-hole instances: namespaces that the gitops tree labels as part of pihole, with their provider. */
export async function piholeInstances(clients: LabClients) {
  const namespaces = (
    await clients.core.listNamespace({
      labelSelector: 'app.kubernetes.io/part-of=pihole',
    })
  ).items;
  return namespaces.map(ns => ({
    namespace: ns.metadata!.name!,
    provider: ns.metadata!.labels!['cloudlab.dev/provider'],
  }));
}

/** `name phase node` for messages. */
export const showPods = (pods: k8s.V1Pod[]) =>
  pods
    .map(
      p =>
        `${p.metadata?.name} ${p.status?.phase} on ${
          p.spec?.nodeName ?? '(unscheduled)'
        }`,
    )
    .join('; ') || 'no pods';

/** Flux Kustomizations and GitRepositories of the lab's flux-system namespace. */
export const FLUX_KUSTOMIZATIONS =
  '/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/flux-system/kustomizations';
export const FLUX_GITREPOSITORIES =
  '/apis/source.toolkit.fluxcd.io/v1/namespaces/flux-system/gitrepositories';

/** GET an API path as JSON; undefined on 404, an error naming the status otherwise. */
export async function getJson(
  rest: KubeRest,
  p: string,
): Promise<any | undefined> {
  const r = await rest.request('GET', p);
  if (r.status === 404) return undefined;
  if (r.status !== 200) throw new Error(`GET ${p}: HTTP ${r.status} ${r.body}`);
  return JSON.parse(r.body);
}

/** Server-side apply of one object as `fieldManager`. */
export async function applyObj(
  rest: KubeRest,
  p: string,
  obj: object,
  fieldManager: string,
) {
  const r = await rest.request(
    'PATCH',
    `${p}?fieldManager=${fieldManager}&force=true`,
    JSON.stringify(obj),
    'application/apply-patch+yaml',
  );
  if (r.status >= 300)
    throw new Error(`apply ${p}: HTTP ${r.status} ${r.body}`);
}

/** Runs git in `cwd` as the lab tests' committer; stdout, trimmed. */
export function git(cwd: string, ...args: string[]) {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 'lab test',
      GIT_AUTHOR_EMAIL: 'lab@cloudlab.invalid',
      GIT_COMMITTER_NAME: 'lab test',
      GIT_COMMITTER_EMAIL: 'lab@cloudlab.invalid',
    },
  }).trim();
}

/** The hand-written catalog entities of the Pi-hole instances (catalog/components/pihole.yaml). */
export function piholeEntities(root: string) {
  const file = path.join(root, 'catalog', 'components', 'pihole.yaml');
  return parseAllDocuments(fs.readFileSync(file, 'utf8'))
    .map(d => d.toJSON())
    .filter(
      e => e?.metadata?.annotations?.['cloudlab.dev/flux-kustomizations'],
    );
}

/** Backend config of the scaffolder's GitOps module publishing locally to `localRepository`. */
export function gitopsScaffolderConfig(
  fx: LabFixture,
  localRepository: string,
) {
  return {
    backend: { baseUrl: 'http://localhost:7007' },
    cloudlab: {
      ...labCloudlabConfig(fx.paths),
      gitops: {
        publish: 'local',
        defaultBranch: 'main',
        localRepository,
        validatorPath: path.join(fx.paths.root, '.cache', 'gitops-validate'),
        crdPath: fx.paths.crdsDir,
      },
    },
  };
}

/** The suite's shared `cloudlab` layout block for this repository, as app-config.yaml sets it. */
export function labCloudlabConfig(paths: LabPaths) {
  return {
    gitopsTree: {
      local: { path: paths.root },
      fluxPath: 'gitops',
      catalogPath: 'catalog',
      desiredCluster: 'lab',
      kustomizeCommand: defaultKustomizeCommand(paths.root),
    },
    providers: { directory: paths.providersDir },
  };
}

/** Backend `kubernetes` config: the lab as cluster `lab`, read with the portal's token. */
export function labKubernetesConfig(fx: LabFixture) {
  return {
    clusterLocatorMethods: [
      {
        type: 'config',
        clusters: [
          {
            name: 'lab',
            url: fs.readFileSync(fx.paths.apiserverUrl, 'utf8').trim(),
            serviceAccountToken: fs
              .readFileSync(fx.paths.portalToken, 'utf8')
              .trim(),
            caData: fs.readFileSync(fx.paths.caCert).toString('base64'),
          },
        ],
      },
    ],
  };
}

/** A template of templates/<name>/template.yaml as a catalog entity (namespace default). */
export function templateEntity(fx: LabFixture, name: string) {
  const t = parse(
    fs.readFileSync(
      path.join(fx.paths.root, 'templates', name, 'template.yaml'),
      'utf8',
    ),
  );
  t.metadata.namespace = 'default';
  return t;
}

/**
 * A scratch bare repository `bare` of the lab's Git server and its working clone `work`: `write`
 * fills the working tree, which is committed and pushed as `main`. Returns that commit.
 */
export function seedScratchRepository(
  bare: string,
  work: string,
  message: string,
  write: () => void,
): string {
  execFileSync('git', ['init', '-q', '--bare', '-b', 'main', bare]);
  git(work, 'init', '-q', '-b', 'main');
  write();
  git(work, 'add', '.');
  git(work, 'commit', '-q', '-m', message);
  git(work, 'push', '-q', bare, 'main');
  return git(work, 'rev-parse', 'HEAD');
}

/** A scratch bare repository at `bare` holding this checkout's committed tree as `main`. */
export function scratchRepository(fx: LabFixture, bare: string) {
  execFileSync('git', ['init', '-q', '--bare', '-b', 'main', bare]);
  execFileSync('git', ['push', '-q', bare, 'HEAD:refs/heads/main'], {
    cwd: fx.paths.root,
  });
}

/**
 * The address a portal fetches the lab's Flux artifacts from: what `lab gitops up` wrote
 * (`.cache/lab/flux-artifact-url`), else the same address computed, for a loop started before
 * the file existed.
 */
export function labFluxArtifactUrl(paths: LabPaths): string {
  const file = gitopsPaths(paths).fluxArtifactUrl;
  return fs.existsSync(file)
    ? fs.readFileSync(file, 'utf8').trim()
    : fluxArtifactAddress().url;
}

/**
 * A GitRepository in flux-system following `main` of the scratch repository `<name>.git` of the
 * lab's Git server, checked every 5 s so that a proof sees a commit within seconds.
 */
export function scratchGitRepository(name: string) {
  return {
    apiVersion: 'source.toolkit.fluxcd.io/v1',
    kind: 'GitRepository',
    metadata: { name, namespace: 'flux-system' },
    spec: {
      interval: '5s',
      url: `http://127.0.0.1:${gitopsPorts().git}/${name}.git`,
      ref: { branch: 'main' },
    },
  };
}

/**
 * Waits (a minute at most) for source-controller's health endpoint. Asked over HTTP: the loop's
 * pid files name binaries by the path of the checkout that started them, which another worktree
 * of the repository does not match.
 */
export async function requireSourceController() {
  const readyz = `http://127.0.0.1:${gitopsPorts().sourceHealth}/readyz`;
  await eventually(
    'source-controller healthy (else: yarn lab gitops up)',
    () =>
      fetch(readyz).then(
        r => r.status,
        () => 0,
      ),
    status => status === 200,
    status => `${readyz}: ${status || 'unreachable'}`,
    60_000,
  );
}

/** Fails unless every component of the GitOps loop is healthy. */
export async function requireGitopsLoop() {
  const down = (await gitopsStatus()).filter(s => !s.healthy);
  if (down.length)
    throw new Error(
      `GitOps loop not healthy (${down
        .map(s => s.name)
        .join(', ')}): run yarn lab gitops up`,
    );
}

/** Every pod of a Placement answer, with the provider and node it is grouped under. */
export const placementPods = (p: EntityPlacementResponse) =>
  p.clusters.flatMap(c =>
    c.providers.flatMap(pr =>
      pr.regions.flatMap(r =>
        r.zones.flatMap(z =>
          z.nodes.flatMap(n =>
            n.pods.map(pod => ({ provider: pr.name, node: n.name, ...pod })),
          ),
        ),
      ),
    ),
  );

/** Which lab component a canary Deployment that does not run points at. */
export function canaryCulprit(
  pods: k8s.V1Pod[],
): 'kube-controller-manager' | 'kube-scheduler' | 'kwok' | undefined {
  if (pods.length === 0) return 'kube-controller-manager';
  if (pods.some(p => !p.spec?.nodeName)) return 'kube-scheduler';
  if (pods.some(p => p.status?.phase !== 'Running')) return 'kwok';
  return undefined;
}

/** The last klog error lines of a component's log, for a message. */
function lastErrors(paths: LabPaths, c: Component, n = 3): string {
  try {
    const lines = fs
      .readFileSync(path.join(paths.logs, `${c}.log`), 'utf8')
      .split('\n')
      .filter(l => /^[EF]\d{4} /.test(l));
    return lines
      .slice(-n)
      .map(l => `    ${l.slice(0, 240)}`)
      .join('\n');
  } catch {
    return '    (no log)';
  }
}

/**
 * After a suite stopped, restarted or froze the API server: the lab runs a workload again before
 * the next suite starts — every component is running, and a canary Deployment gets its pod created
 * (controller manager), placed (scheduler) and Running (kwok). A component that died is started
 * again; one that is alive but did not do its part of the canary within the grace period is
 * restarted once. Either is said on the console with the component's last errors, so the fault
 * suite's effect on the lab is visible in the test output. Throws when the canary still does not run.
 */
export async function labSettled(
  lab: LabFixture,
  graceMs = 60_000,
): Promise<void> {
  const say = (msg: string) =>
    // eslint-disable-next-line no-console
    console.warn(`lab settle: ${msg}`);
  for (const c of COMPONENTS) {
    // Something healthy on the component's port is left alone (never a second copy).
    if (await healthCheck(lab.paths, c)().catch(() => false)) continue;
    if ((await startComponent(c)) === 'started') {
      say(
        `${c} had exited; started it again. Its last errors:\n${lastErrors(
          lab.paths,
          c,
        )}`,
      );
    }
  }
  const apps = lab.clients.kc.makeApiClient(k8s.AppsV1Api);
  const name = `lab-canary-${Date.now().toString(36)}`;
  const namespace = 'default';
  const labels = { 'cloudlab.dev/lab-canary': name };
  await apps.createNamespacedDeployment({
    namespace,
    body: {
      metadata: { name, namespace },
      spec: {
        replicas: 1,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            containers: [{ name: 'canary', image: 'lab-canary:never-pulled' }],
            terminationGracePeriodSeconds: 0,
          },
        },
      },
    },
  });
  const pods = async () =>
    (
      await lab.clients.core.listNamespacedPod({
        namespace,
        labelSelector: `cloudlab.dev/lab-canary=${name}`,
      })
    ).items;
  const running = (ps: k8s.V1Pod[]) => canaryCulprit(ps) === undefined;
  try {
    try {
      await eventually(
        'the canary pod to run',
        pods,
        running,
        showPods,
        graceMs,
      );
    } catch {
      const culprit = canaryCulprit(await pods())!;
      say(
        `the canary did not run within ${
          graceMs / 1000
        }s (${culprit} did not do its part); restarting ${culprit}. Its last errors:\n${lastErrors(
          lab.paths,
          culprit,
        )}`,
      );
      await stopComponent(culprit);
      await startComponent(culprit);
      await eventually(
        `the canary pod to run after restarting ${culprit}`,
        pods,
        running,
        showPods,
        graceMs,
      );
    }
  } finally {
    await apps
      .deleteNamespacedDeployment({
        name,
        namespace,
        gracePeriodSeconds: 0,
        propagationPolicy: 'Background',
      })
      .catch(() => undefined);
  }
}
