/* eslint-disable no-console */
// Storage benchmark: `yarn workspace @internal/cloudlab-bench bench:storage
// [--lab] [--claims N] [--nodes N] [--iterations N] [--churn N]`, or `bench:storage --findings
// [--one-group] [--iterations N]` for the storage findings alone at growing sizes, in-process (see
// `findingsScaling.ts`); `--alloc` prints the bytes each route allocates per warm request instead
// of the route timings (see `requestAllocation.ts`). Without `--lab` it serves a
// synthetic cluster (default 1,000 nodes, 20,000 claims, volumes and pods) over HTTP; with
// `--churn N` it also sends N claim + volume updates a second to watches, all of other
// entities' claims in the measured entity's namespaces (as a PV binder binding other workloads'
// claims does), while the routes are measured; with `--lab` it reads
// the running lab (scaled with `lab scale --claims N`). Prints: cold sync of the storage
// informers, cache size per claim, what a memo miss of the entity answer costs, and warm p50/p99
// of the storage routes beside the stock kubernetes backend's PVC listing
// (`POST /api/kubernetes/services/:id` with `kubernetes.objectTypes: [persistentvolumeclaims]`)
// for the same entities, both plugins in one backend. Prints figures; asserts nothing.
import { KUBERNETES_ANNOTATION } from '@backstage/plugin-kubernetes-common';
import { createServiceFactory } from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { sumStorage } from '@cloudlab/plugin-multi-provider-common';
import { KubeConfig } from '@kubernetes/client-node';
import {
  ClusterCache,
  connectCluster,
  kubeConfigFor,
  entityPodQuery,
  StorageCache,
  StorageService,
} from '@cloudlab/plugin-multi-provider-backend/internal';
import {
  ClusterConnection,
  clusterSourceServiceRef,
  loadProviderRegistry,
} from '@cloudlab/plugin-multi-provider-node';
import { startFakeKubeApi } from './fakeKubeApi';
import { printFindingsScaling } from './findingsScaling';
import { printRequestAllocation } from './requestAllocation';
import {
  argNumber,
  benchEntity,
  comparisonRow,
  hasFlag,
  labCluster,
  labEntities,
  loadLine,
  measure,
  ms,
  printBuildCost,
  quietLogger,
  startBothBackends,
  timeSync,
  waitFor,
} from './harness';
import { findRepoRoot, registryDir } from '../repository';

const ZONES = {
  hetzner: {
    driver: 'csi.hetzner.cloud',
    key: 'csi.hetzner.cloud/location',
    cls: 'hcloud-volumes',
    domains: [
      ['fsn1', 'fsn1-dc14'],
      ['nbg1', 'nbg1-dc3'],
      ['hel1', 'hel1-dc2'],
    ],
  },
  scaleway: {
    driver: 'csi.scaleway.com',
    key: 'topology.csi.scaleway.com/zone',
    cls: 'scw-bssd',
    domains: [
      ['fr-par', 'fr-par-1'],
      ['fr-par', 'fr-par-2'],
      ['nl-ams', 'nl-ams-1'],
    ],
  },
} as const;
const PROVIDERS = ['hetzner', 'scaleway'] as const;

/** The synthetic cluster: every pod mounts its own claim, bound to a volume in its node's zone. */
function synthetic(nodeCount: number, claimCount: number) {
  const nodes = Array.from({ length: nodeCount }, (_, i) => {
    const provider = PROVIDERS[i % 2];
    const z = ZONES[provider];
    const [region, zone] = z.domains[i % 3];
    return {
      metadata: {
        name: `${provider}-${i}`,
        labels: {
          'cfke.io/provider': provider,
          'topology.kubernetes.io/region': region,
          'topology.kubernetes.io/zone': zone,
          [z.key]: provider === 'hetzner' ? region : zone,
        },
      },
      status: {
        capacity: { cpu: '16', memory: '64Gi', pods: '110' },
        conditions: [{ type: 'Ready', status: 'True' }],
      },
    };
  });
  const pods: object[] = [];
  const pvcs: object[] = [];
  const pvs: object[] = [];
  for (let i = 0; i < claimCount; i++) {
    const app = `app-${i % 500}`;
    const namespace = `ns-${i % 40}`;
    const node = nodes[i % nodeCount];
    const provider = node.metadata.labels['cfke.io/provider'] as
      | 'hetzner'
      | 'scaleway';
    const z = ZONES[provider];
    const labels = {
      'app.kubernetes.io/name': app,
      [KUBERNETES_ANNOTATION]: app,
    };
    pods.push({
      metadata: { name: `${app}-${i}`, namespace, labels },
      spec: {
        nodeName: node.metadata.name,
        nodeSelector:
          i % 3 === 0 ? { 'cfke.io/provider': provider } : undefined,
        containers: [{ resources: { requests: { cpu: '50m' } } }],
        volumes: [{ persistentVolumeClaim: { claimName: `data-${i}` } }],
      },
      status: { phase: 'Running' },
    });
    pvcs.push({
      metadata: { name: `data-${i}`, namespace, labels },
      spec: {
        storageClassName: z.cls,
        volumeName: `pv-${i}`,
        accessModes: ['ReadWriteOnce'],
        resources: { requests: { storage: '10Gi' } },
      },
      status: { phase: 'Bound', capacity: { storage: '10Gi' } },
    });
    pvs.push({
      metadata: { name: `pv-${i}` },
      spec: {
        storageClassName: z.cls,
        csi: { driver: z.driver, volumeHandle: `v-${i}` },
        capacity: { storage: '10Gi' },
        accessModes: ['ReadWriteOnce'],
        persistentVolumeReclaimPolicy: 'Delete',
        claimRef: { name: `data-${i}`, namespace },
        nodeAffinity: {
          required: {
            nodeSelectorTerms: [
              {
                matchExpressions: [
                  {
                    key: z.key,
                    operator: 'In',
                    values: [node.metadata.labels[z.key]],
                  },
                ],
              },
            ],
          },
        },
      },
      status: { phase: 'Bound' },
    });
  }
  const storageClasses = PROVIDERS.map(p => ({
    metadata: { name: ZONES[p].cls },
    provisioner: ZONES[p].driver,
    reclaimPolicy: 'Delete',
    volumeBindingMode: 'WaitForFirstConsumer',
    allowVolumeExpansion: true,
  }));
  const csiDrivers = PROVIDERS.map(p => ({
    metadata: { name: ZONES[p].driver },
    spec: { attachRequired: true },
  }));
  const csiNodes = nodes.map(n => ({
    metadata: { name: n.metadata.name },
    spec: {
      drivers: [
        {
          name: ZONES[n.metadata.labels['cfke.io/provider'] as 'hetzner']
            .driver,
          nodeID: n.metadata.name,
        },
      ],
    },
  }));
  // Mostly noise the event filter drops, a few pending-volume events it keeps.
  const events = Array.from({ length: 2000 }, (_, i) => ({
    metadata: { name: `e-${i}`, namespace: 'ns-0' },
    involvedObject: { kind: 'Pod', name: `app-0-${i}`, namespace: 'ns-0' },
    reason: i % 100 === 0 ? 'FailedScheduling' : 'Pulled',
    message:
      i % 100 === 0
        ? "0/1000 nodes are available: didn't find available persistent volumes to bind."
        : 'Successfully pulled image',
    lastTimestamp: '2026-01-01T00:00:00Z',
  }));
  return {
    '/api/v1/nodes': nodes,
    '/api/v1/pods': pods,
    '/api/v1/persistentvolumeclaims': pvcs,
    '/api/v1/persistentvolumes': pvs,
    '/apis/storage.k8s.io/v1/storageclasses': storageClasses,
    '/apis/storage.k8s.io/v1/csidrivers': csiDrivers,
    '/apis/storage.k8s.io/v1/csinodes': csiNodes,
    '/api/v1/events': events,
  };
}

/**
 * Sends `perSecond` claim + volume MODIFIED events to the fake API's watches, each a claim (and
 * its volume) of another app in the namespaces of the measured entity `app-7` (ns-7, ns-27):
 * capacity and phase alternate, so every event is a real change for the informers.
 */
function churnOthers(
  api: { emit(path: string, type: 'MODIFIED', obj: object): void },
  collections: ReturnType<typeof synthetic>,
  perSecond: number,
) {
  const pvcs = collections['/api/v1/persistentvolumeclaims'] as any[];
  const pvs = collections['/api/v1/persistentvolumes'] as any[];
  const others = pvcs
    .map((_, i) => i)
    .filter(i => i % 40 === 7 && i % 500 !== 7);
  let n = 0;
  let version = 2;
  const timer = setInterval(() => {
    const i = others[n % others.length];
    const odd = Math.floor(n / others.length) % 2 === 0;
    n += 1;
    version += 1;
    const size = odd ? '11Gi' : '10Gi';
    const rv = { resourceVersion: String(version) };
    api.emit('/api/v1/persistentvolumeclaims', 'MODIFIED', {
      ...pvcs[i],
      metadata: { ...pvcs[i].metadata, ...rv },
      status: { phase: 'Bound', capacity: { storage: size } },
    });
    api.emit('/api/v1/persistentvolumes', 'MODIFIED', {
      ...pvs[i],
      metadata: { ...pvs[i].metadata, ...rv },
      spec: { ...pvs[i].spec, capacity: { storage: size } },
    });
  }, 1000 / perSecond);
  return () => clearInterval(timer);
}

/** Cold sync and size of the storage informers beside a synced placement cache. */
async function coldStorage(connection: ClusterConnection) {
  const cluster = new ClusterCache(connection, quietLogger);
  cluster.start();
  await waitFor(
    () => cluster.status().state === 'synced',
    () => JSON.stringify(cluster.status()),
  );
  global.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const storage = new StorageCache(cluster, connection.storage!, quietLogger);
  const t0 = performance.now();
  storage.start();
  await waitFor(
    () => storage.status().state === 'synced',
    () => JSON.stringify(storage.status()),
  );
  const coldMs = performance.now() - t0;
  global.gc?.();
  const heapAfter = process.memoryUsage().heapUsed;
  const jsonBytes = (m: Map<string, unknown>) =>
    [...m.values()].reduce<number>((n, v) => n + JSON.stringify(v).length, 0);
  const claims = storage.pvcs.items.size;
  const volumes = storage.pvs.items.size;
  console.log(
    `cluster ${connection.name}: ${cluster.nodes.items.size} nodes, ${cluster.pods.items.size} pods, ${claims} claims, ${volumes} volumes, ${storage.storageClasses.items.size} classes, ${storage.csiNodes.items.size} CSINodes, ${storage.events.items.size} storage events kept`,
  );
  console.log(
    `storage cold sync (6 informers, paginated lists of 500 over HTTP): ${coldMs.toFixed(
      0,
    )} ms`,
  );
  console.log(
    `storage cache: claim ${(
      jsonBytes(storage.pvcs.items) / Math.max(1, claims)
    ).toFixed(0)} B, volume ${(
      jsonBytes(storage.pvs.items) / Math.max(1, volumes)
    ).toFixed(0)} B as JSON; retained heap ${(
      (heapAfter - heapBefore) /
      Math.max(1, claims)
    ).toFixed(0)} B per claim (with its volume)${
      global.gc ? '' : ' (run with --expose-gc)'
    }`,
  );
  return { cluster, storage };
}

/**
 * What a memo miss of the entity storage answer and rebuilds of the platform view's parts cost,
 * in-process (build + JSON).
 */
async function printStorageBuildCost(
  storage: StorageCache,
  entities: Entity[],
  iterations: number,
) {
  const registry = await loadProviderRegistry(registryDir());
  const service = new StorageService([storage], () => registry, {} as any);
  printBuildCost(
    entities,
    entity => {
      const answer = service.buildEntityStorage(
        stringifyEntityRef(entity),
        entityPodQuery(entity)!,
      );
      const claims = answer.clusters.reduce((n, c) => n + c.claims.length, 0);
      return { what: `${claims} claims`, json: JSON.stringify(answer) };
    },
    iterations,
  );
  // What the platform view keeps: its parts and the claim findings with their indexes.
  global.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  service.platformStorage();
  global.gc?.();
  console.log(
    `  platform storage view kept (parts, claim findings and their indexes): ${(
      (process.memoryUsage().heapUsed - heapBefore) /
      Math.max(1, storage.pvcs.items.size)
    ).toFixed(0)} B per claim`,
  );
  // The platform view's parts are rebuilt by version; bumping a version is what a change does.
  const platformRebuild = (what: string, change: () => void) => {
    let claims = 0;
    const judged = service.platformBuilds.claimsJudged;
    const timing = timeSync(() => {
      change();
      const answer = service.platformStorage();
      claims = answer.clusters[0].totals.claims;
      JSON.stringify(answer);
    }, iterations);
    console.log(
      `  platform storage rebuild + JSON (${claims} claims) ${what}: p50 ${ms(
        timing.p50,
      )}  p99 ${ms(timing.p99)} (${iterations} rebuilds in-process; ${
        (service.platformBuilds.claimsJudged - judged) / iterations
      } claims judged again per rebuild)`,
    );
  };
  platformRebuild('of every part, as after a class change', () => {
    storage.classVersion += 1;
  });
  // A version bump alone marks no claim changed: the incremental counts are copied and the claim
  // findings merged, none judged again.
  platformRebuild('of counts and findings, as after a claim change', () => {
    storage.claimsVersion += 1;
  });
  platformRebuild('of findings, as after a change of a pod they read', () => {
    storage.podFindingsVersion += 1;
  });
  platformRebuild('of nothing, as after any other pod change', () => {
    storage.cluster.generation += 1;
  });
  // A version bump moves no claim: what a real change adds is applying it to the incremental counts
  // (the claim taken away and added back), timed here on sums of the same cluster.
  const all = [...storage.pvcs.items.values()];
  const sums = sumStorage(
    registry,
    new Map(
      [...storage.storageClasses.items.values()].map(sc => [
        sc.metadata.name,
        sc,
      ]),
    ),
    storage.pvs.items.values(),
    all,
  );
  let next = 0;
  const change = timeSync(() => {
    const c = all[next++ % all.length];
    sums.claim(c, -1);
    sums.claim(c, 1);
  }, 1000);
  const us = (t: number) => `${(t * 1000).toFixed(1)} µs`;
  console.log(
    `  a claim change applied to the incremental counts: p50 ${us(
      change.p50,
    )}  p99 ${us(change.p99)} (1000 changes in-process)`,
  );
}

async function main() {
  if (hasFlag('findings')) {
    console.log(loadLine());
    const registry = await loadProviderRegistry(registryDir());
    printFindingsScaling(
      registry,
      [5000, 10000, 20000, 40000],
      argNumber('iterations', 5),
      hasFlag('one-group'),
    );
    console.log(loadLine());
    return;
  }
  const lab = hasFlag('lab');
  const claims = argNumber('claims', 20000);
  const nodeCount = argNumber('nodes', 1000);
  const iterations = argNumber('iterations', lab ? 50 : 100);
  const churn = argNumber('churn', 0);
  let startChurn = () => () => {};
  console.log(loadLine());
  const repoRoot = findRepoRoot();
  let connection: ClusterConnection;
  let clusterEntry: object;
  let entities: Entity[];
  let closeApi = async () => {};
  const features: any[] = [];
  if (lab) {
    const cluster = labCluster(repoRoot);
    connection = connectCluster(cluster.name, kubeConfigFor(cluster));
    clusterEntry = { ...cluster, authProvider: 'serviceAccount' };
    entities = labEntities();
  } else {
    const collections = synthetic(nodeCount, claims);
    const api = await startFakeKubeApi(collections);
    closeApi = api.close;
    startChurn = () => churnOthers(api, collections, churn);
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'bench', server: api.url, skipTLSVerify: true }],
      users: [{ name: 'bench', token: 'bench' }],
      contexts: [{ name: 'bench', cluster: 'bench', user: 'bench' }],
      currentContext: 'bench',
    });
    connection = connectCluster('bench', kc);
    clusterEntry = {
      name: 'bench',
      url: api.url,
      authProvider: 'serviceAccount',
      serviceAccountToken: 'bench',
      skipTLSVerify: true,
      skipMetricsLookup: true,
    };
    entities = [benchEntity('app-7')];
    // The plugin reads the fake API through the same connection.
    const shared = connection;
    features.push(
      createServiceFactory({
        service: clusterSourceServiceRef,
        deps: {},
        factory: () => ({ getClusters: () => [shared] }),
      }),
    );
  }

  // 1. Cold sync, size, and the cost of a memo miss, in-process over the real client.
  if (!hasFlag('alloc')) {
    const { cluster, storage } = await coldStorage(connection);
    await printStorageBuildCost(storage, entities, 20);
    storage.stop();
    cluster.stop();
  }

  // 2. Both backends in one Backstage backend, configured from the same cluster entry.
  const { base, stop } = await startBothBackends({
    clusters: [clusterEntry],
    entities,
    objectTypes: ['persistentvolumeclaims'],
    multiProvider: {
      storage: { desiredRefreshSeconds: 3600 },
    },
    features,
    ready: async b => {
      const res = await fetch(`${b}/api/multi-provider/platform/storage`);
      const body = await res.json();
      return body.clusters?.[0]?.state === 'synced';
    },
  });

  if (hasFlag('alloc')) {
    await printRequestAllocation(base, entities[0].metadata.name, iterations);
    await stop();
    await closeApi();
    process.exit(0);
  }
  const stopChurn = churn > 0 ? startChurn() : () => {};
  if (churn > 0 && !lab) {
    console.log(
      `churn: ${churn} claim + volume updates/s to other entities' claims in the measured entity's namespaces`,
    );
  }
  const platform = await measure(
    { url: `${base}/api/multi-provider/platform/storage` },
    iterations,
  );
  console.log(
    `GET platform storage  p50 ${ms(platform.p50)}  p99 ${ms(
      platform.p99,
    )}  (${iterations} warm calls, ${
      platform.body.clusters[0].totals.claims
    } claims summarised, first call ${ms(platform.firstMs)})`,
  );
  if (!lab) {
    const t1 = performance.now();
    const desired = await measure(
      { url: `${base}/api/multi-provider/platform/storage/desired` },
      iterations,
    );
    console.log(
      `GET desired storage   p50 ${ms(desired.p50)}  p99 ${ms(
        desired.p99,
      )}  (gitops/clusters/${desired.body.cluster}, ${
        desired.body.kustomizations.length
      } Kustomizations rendered with kustomize; first ${ms(
        desired.firstMs,
      )}, total ${ms(performance.now() - t1)})`,
    );
  }
  console.log(
    'entity                 claims (ours/stock) multi-provider p50/p99  stock services/:id PVCs p50/p99  p50 ratio p99 ratio',
  );
  const notes: string[] = [];
  for (const entity of entities) {
    const name = entity.metadata.name;
    const url = `${base}/api/multi-provider/entity/default/component/${name}/storage`;
    const ours = await measure({ url }, iterations);
    // How many of as many conditional requests found a new answer (a memo rebuild), not 304.
    let etag = '';
    let rebuilt = 0;
    for (let i = 0; i < iterations; i++) {
      // An explicit Cache-Control: fetch would add `no-cache`, which forbids a 304.
      const res = await fetch(url, {
        headers: { 'if-none-match': etag, 'cache-control': 'max-age=0' },
      });
      if (res.status === 200) rebuilt += 1;
      etag = res.headers.get('etag') ?? etag;
      await res.arrayBuffer();
    }
    const stock = await measure(
      {
        url: `${base}/api/kubernetes/services/${name}`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ entity }),
      },
      iterations,
    );
    const ourClaims = ours.body.clusters[0].claims.length;
    const stockItem = stock.body.items?.[0];
    const stockClaims =
      stockItem?.resources?.find(
        (r: { type: string }) => r.type === 'persistentvolumeclaims',
      )?.resources?.length ?? 0;
    if (stockItem?.errors?.length) {
      notes.push(
        `  ${name} stock errors: ${JSON.stringify(stockItem.errors).slice(
          0,
          300,
        )}`,
      );
    }
    console.log(
      comparisonRow(name, `${ourClaims}/${stockClaims}`, ours, stock),
    );
    notes.push(
      `  ${name}: ${rebuilt} of ${iterations} conditional requests got a rebuilt answer (200), the rest 304`,
    );
    notes.push(
      `  ${name}: first (memo miss) call ${ms(ours.firstMs)}, answer ${(
        ours.bytes / 1024
      ).toFixed(0)} KiB with provider/zone/findings per claim; stock ${(
        stock.bytes / 1024
      ).toFixed(0)} KiB of raw PVC objects`,
    );
  }
  console.log(`(${iterations} warm sequential calls each)`);
  for (const n of notes) console.log(n);
  console.log(loadLine());
  stopChurn();
  await stop();
  await closeApi();
  process.exit(0);
}

main().catch(err => {
  console.error(err);
  process.exit(1);
});
