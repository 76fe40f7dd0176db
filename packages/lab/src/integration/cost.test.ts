import * as k8s from '@kubernetes/client-node';
import type {
  PlatformCost,
  ProviderRegistry,
} from '@cloudlab/plugin-multi-provider-common';
import {
  failureDomainAdviceResponseSchema,
  failureDomainResponseSchema,
} from '@cloudlab/plugin-multi-provider-common';
import { outage } from '../commands/outage';
import { PROVIDER_LABEL } from '../registry/labProviders';
import {
  createTestNamespace,
  describeLab,
  eventually,
  labFixture,
  LabFixture,
  piholeInstances,
  showPods,
} from './labFixture';
import {
  backendRegistry,
  labClusterConfig,
} from './__testUtils__/placementBackend';
import { startMultiProviderBackend } from './__testUtils__/multiProviderBackend';
import { labDeployment } from './__testUtils__/labDeployment';

jest.setTimeout(600_000);

/*
 * The cost figures of the backend against a computation written out here from the registry's
 * price table (providers/*.yaml), not by calling the cost model. The rule, as docs/cost says: a
 * node costs its server type's monthly list price; each active pod on it weighs the mean of its
 * CPU and memory requests as fractions of the node's allocatable; when a node's weights add up
 * to more than 1 they are scaled down to fit; a pod costs price × weight. A claim costs its
 * billed GiB (at least the provider's minimum, whole GiB where the provider bills whole GiB) ×
 * the price per GiB-month.
 */

const GIB = 1024 ** 3;

/** Kubernetes CPU quantity in millicores (the forms lab manifests use). */
function millicores(q: string | undefined): number {
  if (!q) return 0;
  if (q.endsWith('m')) return Number(q.slice(0, -1));
  return Number(q) * 1000;
}

/** Kubernetes memory / storage quantity in bytes. */
function byteCount(q: string | undefined): number {
  if (!q) return 0;
  const units: Record<string, number> = {
    Ki: 1024,
    Mi: 1024 ** 2,
    Gi: 1024 ** 3,
    Ti: 1024 ** 4,
    k: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
  };
  const m = /^([0-9.]+)([A-Za-z]*)$/.exec(q);
  if (!m) throw new Error(`unexpected quantity ${q}`);
  return Number(m[1]) * (m[2] ? units[m[2]] : 1);
}

/** A pod's requests as the scheduler reserves them: max(sum of containers, largest init). */
function podRequests(pod: k8s.V1Pod) {
  const sum = (cs: k8s.V1Container[] = []) =>
    cs.reduce(
      (acc, c) => ({
        cpu: acc.cpu + millicores(c.resources?.requests?.cpu as string),
        mem: acc.mem + byteCount(c.resources?.requests?.memory as string),
      }),
      { cpu: 0, mem: 0 },
    );
  const app = sum(pod.spec?.containers);
  for (const init of pod.spec?.initContainers ?? []) {
    const r = sum([init]);
    app.cpu = Math.max(app.cpu, r.cpu);
    app.mem = Math.max(app.mem, r.mem);
  }
  return app;
}

/** The monthly list price of a node from the registry's table, or undefined. */
function nodePrice(node: k8s.V1Node, registry: ProviderRegistry) {
  const labels = node.metadata?.labels ?? {};
  const provider = registry.providers.find(
    p => p.name === labels[PROVIDER_LABEL],
  );
  const type = labels['node.kubernetes.io/instance-type']?.toLowerCase();
  const row = provider?.prices?.serverTypes.find(
    t =>
      t.name.toLowerCase() === type &&
      t.regions.includes(labels['topology.kubernetes.io/region']),
  );
  return row?.monthly;
}

/** Every pod's monthly share (`namespace/name` → amount; null on an unpriced node). */
function handShares(
  nodes: k8s.V1Node[],
  pods: k8s.V1Pod[],
  registry: ProviderRegistry,
): Map<string, number | null> {
  const out = new Map<string, number | null>();
  for (const node of nodes) {
    const name = node.metadata!.name!;
    const on = pods.filter(
      p =>
        p.spec?.nodeName === name &&
        p.status?.phase !== 'Succeeded' &&
        p.status?.phase !== 'Failed',
    );
    const price = nodePrice(node, registry);
    const cpu = millicores(node.status?.allocatable?.cpu);
    const mem = byteCount(node.status?.allocatable?.memory);
    const weights = on.map(p => {
      const r = podRequests(p);
      const fractions = [
        ...(cpu > 0 ? [r.cpu / cpu] : []),
        ...(mem > 0 ? [r.mem / mem] : []),
      ];
      return fractions.length
        ? fractions.reduce((a, b) => a + b, 0) / fractions.length
        : 0;
    });
    const total = weights.reduce((a, b) => a + b, 0);
    on.forEach((p, i) =>
      out.set(
        `${p.metadata!.namespace}/${p.metadata!.name}`,
        price === undefined ? null : (price * weights[i]) / Math.max(1, total),
      ),
    );
  }
  return out;
}

/** A scaled test Deployment pinned to a provider, with these requests per pod. */
function scaled(
  namespace: string,
  name: string,
  replicas: number,
  provider: string,
  requests: { cpu: string; memory: string },
): k8s.V1Deployment {
  return labDeployment(
    namespace,
    name,
    replicas,
    { nodeSelector: { [PROVIDER_LABEL]: provider } },
    requests,
  );
}

/** A node row's figure: its price, null when unknown, undefined when the row is missing. */
function nodeFigure(
  row: PlatformCost['clusters'][number]['nodes'][number] | undefined,
): number | null | undefined {
  if (!row) return undefined;
  return row.unknownNodes === 0 ? row.monthly : null;
}

describeLab(
  'cost against the lab: the backend agrees with the price table by hand',
  () => {
    let lab: LabFixture;
    let backend: Awaited<ReturnType<typeof startMultiProviderBackend>>;
    let registry: ProviderRegistry;
    const namespace = `lab-test-cost-${Date.now().toString(36)}`;
    // Names that share no base once a provider suffix is stripped: each is its own service.
    const workloads = [
      {
        name: 'web',
        replicas: 5,
        provider: 'hetzner',
        requests: { cpu: '250m', memory: '512Mi' },
      },
      {
        name: 'batch',
        replicas: 3,
        provider: 'scaleway',
        requests: { cpu: '500m', memory: '1Gi' },
      },
    ];

    beforeAll(async () => {
      lab = await labFixture();
      registry = await backendRegistry(lab.paths);
      backend = await startMultiProviderBackend(lab.paths, [
        { ...labClusterConfig(lab.paths), authProvider: 'serviceAccount' },
      ]);
      await createTestNamespace(lab.clients, namespace);
      const apps = lab.clients.kc.makeApiClient(k8s.AppsV1Api);
      for (const w of workloads) {
        await apps.createNamespacedDeployment({
          namespace,
          body: scaled(namespace, w.name, w.replicas, w.provider, w.requests),
        });
      }
      const wanted = workloads.reduce((n, w) => n + w.replicas, 0);
      await eventually(
        'the scaled workloads to run',
        async () =>
          (
            await lab.clients.core.listNamespacedPod({ namespace })
          ).items,
        p => p.length === wanted && p.every(x => x.status?.phase === 'Running'),
        p =>
          `${
            p.filter(x => x.status?.phase === 'Running').length
          }/${wanted} Running`,
        180_000,
      );
    });

    afterAll(async () => {
      // Restore even when a test failed half-way.
      await outage('scaleway', false).catch(() => undefined);
      await lab?.clients.core
        .deleteNamespace({ name: namespace })
        .catch(() => undefined);
      await backend?.stop();
    });

    it('prices the Pi-hole instances and the scaled workloads as the table says', async () => {
      const instances = await piholeInstances(lab.clients);
      expect(instances.length).toBe(registry.providers.length);
      const piholeNamespaces = new Set(instances.map(i => i.namespace));

      type Check = {
        what: string;
        expected: number | null;
        actual: number | null | undefined;
      };
      const compare = async (): Promise<Check[]> => {
        const nodes = (await lab.clients.core.listNode()).items;
        const pods = (await lab.clients.core.listPodForAllNamespaces()).items;
        const claims = (
          await lab.clients.core.listPersistentVolumeClaimForAllNamespaces()
        ).items;
        const { body } = await backend.get<PlatformCost>('/platform/cost');
        const cluster = body.clusters.find(c => c.cluster === 'lab')!;
        const shares = handShares(nodes, pods, registry);
        const sumOf = (selected: k8s.V1Pod[]) => {
          let sum = 0;
          for (const p of selected) {
            const s = shares.get(
              `${p.metadata!.namespace}/${p.metadata!.name}`,
            );
            // Not on a node (pending) or no longer active: costs nothing, as the docs say.
            if (s === undefined) continue;
            if (s === null) return null;
            sum += s;
          }
          return sum;
        };
        const checks: Check[] = [];
        // Pi-hole: one service of one instance per provider, `pihole/<app name>`.
        const piholePods = pods.filter(p =>
          piholeNamespaces.has(p.metadata!.namespace!),
        );
        const appName =
          piholePods[0]?.metadata?.labels?.['app.kubernetes.io/name'];
        const piholeService = cluster.services.find(
          s => s.id === `pihole/${appName}`,
        );
        checks.push({
          what: 'pihole service',
          expected: sumOf(piholePods),
          actual: piholeService?.monthly,
        });
        for (const { namespace: ns, provider } of instances) {
          checks.push({
            what: `pihole on ${provider}`,
            expected: sumOf(
              piholePods.filter(p => p.metadata!.namespace === ns),
            ),
            actual: piholeService?.byProvider[provider],
          });
        }
        // Pi-hole volumes: billed GiB × price per GiB-month of the instance's provider.
        for (const claim of claims.filter(c =>
          piholeNamespaces.has(c.metadata!.namespace!),
        )) {
          const provider = registry.providers.find(p =>
            p.storage?.classes.some(
              c => c.name === claim.spec?.storageClassName,
            ),
          );
          const size = byteCount(
            (claim.status?.capacity?.storage ??
              claim.spec?.resources?.requests?.storage) as string,
          );
          const min = byteCount(
            provider?.prices?.blockStorage?.minSize ??
              provider?.storage?.minVolumeSize,
          );
          const gib = Math.max(size, min) / GIB;
          const billed = provider?.storage?.wholeGiB ? Math.ceil(gib) : gib;
          const perGiB = provider?.prices?.blockStorage?.perGiBMonth;
          const row = cluster.claims.find(
            c =>
              c.namespace === claim.metadata!.namespace &&
              c.name === claim.metadata!.name,
          );
          checks.push({
            what: `claim ${claim.metadata!.namespace}/${claim.metadata!.name}`,
            expected: perGiB === undefined ? null : billed * perGiB,
            actual: row?.monthly,
          });
        }
        // The scaled workloads: each its own service, `namespace/name`.
        for (const w of workloads) {
          const own = pods.filter(
            p =>
              p.metadata!.namespace === namespace &&
              p.metadata!.labels?.app === w.name,
          );
          checks.push({
            what: `${w.name} (${own.length} replicas)`,
            expected: sumOf(own),
            actual: cluster.services.find(
              s => s.id === `${namespace}/${w.name}`,
            )?.monthly,
          });
        }
        // Nodes: each at its list price.
        for (const n of nodes.filter(
          x => !x.metadata?.labels?.['cloudlab.dev/lab-scale'],
        )) {
          checks.push({
            what: `node ${n.metadata!.name}`,
            expected: nodePrice(n, registry) ?? null,
            actual: nodeFigure(
              cluster.nodes.find(x => x.name === n.metadata!.name),
            ),
          });
        }
        return checks;
      };
      const agrees = (c: Check) =>
        c.expected === null
          ? c.actual === null
          : typeof c.actual === 'number' &&
            Math.abs(c.actual - c.expected) < 1e-9;
      // The backend's caches follow the cluster by watch: agree at one moment, read together.
      const checks = await eventually(
        'the backend figures to equal the hand computation',
        compare,
        cs => cs.length > 0 && cs.every(agrees),
        cs =>
          cs
            .filter(c => !agrees(c))
            .map(c => `${c.what}: expected ${c.expected}, backend ${c.actual}`)
            .join('; '),
        120_000,
      );
      // The figures that matter are priced (the lab's types are in the table) and not zero.
      for (const what of ['pihole service', ...workloads.map(w => w.name)]) {
        const c = checks.find(x => x.what.startsWith(what))!;
        expect(`${c.what}: ${typeof c.expected}`).toBe(`${c.what}: number`);
        expect(c.expected).toBeGreaterThan(0);
      }
      // eslint-disable-next-line no-console
      console.log(
        checks
          .filter(c => !c.what.startsWith('node '))
          .map(
            c =>
              `${c.what}: ${
                c.expected === null ? 'unknown' : c.expected.toFixed(4)
              } a month`,
          )
          .join('\n'),
      );
    });

    it('after the loss of scaleway, a workload the advice said would survive with its change does, once the change is applied', async () => {
      const name = 'pinned-scaleway';
      const id = `${namespace}/${name}`;
      const apps = lab.clients.kc.makeApiClient(k8s.AppsV1Api);
      await apps.createNamespacedDeployment({
        namespace,
        body: scaled(namespace, name, 2, 'scaleway', {
          cpu: '10m',
          memory: '16Mi',
        }),
      });
      const own = async () =>
        (
          await lab.clients.core.listNamespacedPod({
            namespace,
            labelSelector: `app=${name}`,
          })
        ).items;
      await eventually(
        `${name} to run`,
        own,
        p => p.length === 2 && p.every(x => x.status?.phase === 'Running'),
        showPods,
        180_000,
      );
      const post = async (route: string, body: object) => {
        const res = await fetch(`${backend.base}${route}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        if (res.status !== 200)
          throw new Error(
            `POST ${route}: HTTP ${res.status} ${await res.text()}`,
          );
        return res.json();
      };
      const domain = { level: 'provider', name: 'scaleway', cluster: 'lab' };
      // The advice, once the backend's cache holds both replicas.
      const advice = await eventually(
        `advice for ${id}`,
        async () => {
          const body = failureDomainAdviceResponseSchema.parse(
            await post('/platform/failure-domain/advice', {
              ...domain,
              services: [id],
            }),
          );
          return body.clusters[0].services.find(s => s.id === id);
        },
        a => a?.advice?.verdict === 'survives',
        a => JSON.stringify(a),
        60_000,
      );
      expect(advice!.verdict).toBe('down');
      expect(advice!.advice).toMatchObject({ kind: 'spread', monthlyDelta: 0 });

      // Apply the change as the advice says: the pin lifted, a spread over providers added.
      await apps.patchNamespacedDeployment(
        {
          namespace,
          name,
          body: [
            { op: 'remove', path: '/spec/template/spec/nodeSelector' },
            {
              op: 'add',
              path: '/spec/template/spec/topologySpreadConstraints',
              value: [
                {
                  topologyKey: PROVIDER_LABEL,
                  maxSkew: 1,
                  whenUnsatisfiable: 'ScheduleAnyway',
                  labelSelector: { matchLabels: { app: name } },
                },
              ],
            },
          ],
        },
        k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.JsonPatch),
      );
      await eventually(
        `${name} rolled out with the change`,
        own,
        p =>
          p.length === 2 &&
          p.every(
            x =>
              x.status?.phase === 'Running' &&
              !x.spec?.nodeSelector?.[PROVIDER_LABEL],
          ),
        showPods,
        180_000,
      );
      // The same analysis now reads it as surviving.
      await eventually(
        `the verdict for ${id} after the change`,
        async () =>
          failureDomainResponseSchema
            .parse(await post('/platform/failure-domain', domain))
            .clusters[0].services.find(s => s.id === id),
        v => v?.verdict === 'survives' && v.replicasBefore === 2,
        v => JSON.stringify(v),
        60_000,
      );

      // The loss, played by the lab: scaleway's nodes stop, the controllers move what they can.
      const scaleway = new Set(
        (
          await lab.clients.core.listNode({
            labelSelector: `${PROVIDER_LABEL}=scaleway`,
          })
        ).items.map(n => n.metadata!.name!),
      );
      try {
        await outage('scaleway', true);
        let stableSince = 0;
        const after = await eventually(
          `${name} to run both replicas off scaleway (stable for 10 s)`,
          own,
          p => {
            const ok =
              p.filter(
                x =>
                  !x.metadata?.deletionTimestamp &&
                  x.status?.phase === 'Running' &&
                  x.spec?.nodeName &&
                  !scaleway.has(x.spec.nodeName),
              ).length === 2;
            if (!ok) {
              stableSince = 0;
              return false;
            }
            stableSince ||= Date.now();
            return Date.now() - stableSince >= 10_000;
          },
          showPods,
          300_000,
        );
        expect(
          after.filter(
            x =>
              x.status?.phase === 'Running' && !scaleway.has(x.spec!.nodeName!),
          ).length,
        ).toBe(2);
      } finally {
        await outage('scaleway', false);
      }
    });
  },
);
