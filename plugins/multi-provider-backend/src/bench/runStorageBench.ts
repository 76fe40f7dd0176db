/* eslint-disable no-console */
// Storage benchmark: `yarn workspace @internal/plugin-multi-provider-backend bench:storage
// [--claims N] [--nodes N] [--iterations N]`. Serves a synthetic cluster (default 1,000 nodes,
// 20,000 claims, volumes and pods) over HTTP, then prints: cold sync of the storage informers,
// cache size per claim, and warm p50/p99 of the storage routes beside the stock kubernetes
// backend's PVC listing (`POST /api/kubernetes/services/:id`, objectTypes persistentvolumeclaims)
// for the same entity, both in one backend. Prints figures; asserts nothing.
import { createServiceFactory } from '@backstage/backend-plugin-api';
// The benchmark is a dev-only command: test utilities and the stock backend stay devDependencies.
// eslint-disable-next-line @backstage/no-undeclared-imports
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { KubeConfig } from '@kubernetes/client-node';
import path from 'node:path';
import { ClusterCache } from '../cache/ClusterCache';
import { clusterSourceServiceRef } from '../clusters/clusterSourceServiceRef';
import { multiProviderPlugin } from '../plugin';
import { connectCluster } from '../clusters/KubeClusterSource';
import { findRepoRoot } from '../config';
import { StorageCache } from '../storage/StorageCache';
import { startFakeKubeApi } from './fakeKubeApi';

const quiet = {
  error: () => {},
  warn: () => {},
  info: () => {},
  debug: () => {},
  child: () => quiet,
} as any;

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

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
      'backstage.io/kubernetes-id': app,
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

/** What one answer of a measured route holds, in words. */
function describeAnswer(route: string, body: any): string {
  if (route === 'GET entity storage') {
    return `${body.clusters[0].claims.length} claims`;
  }
  if (route === 'GET platform storage') {
    return `${body.clusters[0].totals.claims} claims summarised`;
  }
  if (route === 'GET desired storage') {
    return `${body.kustomizations.length} Kustomizations`;
  }
  return `${body.items?.[0]?.resources?.[0]?.resources?.length ?? 0} PVCs`;
}

function percentile(sorted: number[], p: number) {
  return sorted[
    Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))
  ];
}

async function waitFor(
  check: () => boolean | Promise<boolean>,
  what: () => string,
) {
  const deadline = Date.now() + 120_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what()}`);
    await new Promise(r => setTimeout(r, 5));
  }
}

async function main() {
  const claims = arg('claims', 20000);
  const nodeCount = arg('nodes', 1000);
  const iterations = arg('iterations', 100);
  const api = await startFakeKubeApi(synthetic(nodeCount, claims));
  const repoRoot = findRepoRoot(process.cwd());

  // 1. Cold sync and size of the storage informers, over HTTP with the real client.
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'bench', server: api.url, skipTLSVerify: true }],
    users: [{ name: 'bench', token: 'bench' }],
    contexts: [{ name: 'bench', cluster: 'bench', user: 'bench' }],
    currentContext: 'bench',
  });
  const connection = connectCluster('bench', kc);
  const cluster = new ClusterCache(connection, quiet);
  cluster.start();
  await waitFor(
    () => cluster.status().state === 'synced',
    () => JSON.stringify(cluster.status()),
  );
  global.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const storage = new StorageCache(cluster, connection.storage!, quiet);
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
  const objects = storage.pvcs.items.size + storage.pvs.items.size;
  console.log(
    `cluster: ${nodeCount} nodes, ${claims} claims, ${claims} volumes, ${claims} pods; ${storage.events.items.size} of 2000 events kept by the filter`,
  );
  console.log(
    `storage cold sync (6 informers, paginated lists of 500 over HTTP): ${coldMs.toFixed(
      0,
    )} ms`,
  );
  console.log(
    `storage cache: claim ${(jsonBytes(storage.pvcs.items) / claims).toFixed(
      0,
    )} B, volume ${(jsonBytes(storage.pvs.items) / claims).toFixed(
      0,
    )} B as JSON; heap delta ${(
      (heapAfter - heapBefore) /
      Math.max(1, objects)
    ).toFixed(0)} B per claim or volume${
      global.gc ? '' : ' (run with --expose-gc)'
    }`,
  );
  storage.stop();
  cluster.stop();

  // 2. Both backends in one Backstage backend, configured from the same cluster entry.
  const entity = {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: 'app-7',
      namespace: 'default',
      annotations: { 'backstage.io/kubernetes-id': 'app-7' },
    },
    spec: { type: 'service', lifecycle: 'production', owner: 'bench' },
  };
  const { server } = await startTestBackend({
    features: [
      multiProviderPlugin,
      // eslint-disable-next-line @backstage/no-undeclared-imports
      import('@backstage/plugin-kubernetes-backend'),
      mockServices.rootConfig.factory({
        data: {
          kubernetes: {
            serviceLocatorMethod: { type: 'multiTenant' },
            clusterLocatorMethods: [
              {
                type: 'config',
                clusters: [
                  {
                    name: 'bench',
                    url: api.url,
                    authProvider: 'serviceAccount',
                    serviceAccountToken: 'bench',
                    skipTLSVerify: true,
                    skipMetricsLookup: true,
                  },
                ],
              },
            ],
            objectTypes: ['persistentvolumeclaims'],
          },
          multiProvider: {
            registryDir: path.join(repoRoot, 'providers'),
            storage: { desiredRefreshSeconds: 3600 },
          },
        },
      }),
      mockServices.permissions.factory({ result: AuthorizeResult.ALLOW }),
      createServiceFactory({
        service: catalogServiceRef,
        deps: {},
        factory: () => ({ getEntityByRef: async () => entity } as any),
      }),
      createServiceFactory({
        service: clusterSourceServiceRef,
        deps: {},
        factory: () => ({ getClusters: () => [connection] }),
      }),
    ],
  });
  const address = server.address();
  const base = `http://127.0.0.1:${
    typeof address === 'object' && address ? address.port : 0
  }`;
  await waitFor(
    async () => {
      const res = await fetch(`${base}/api/multi-provider/platform/storage`);
      const body = await res.json();
      return body.clusters?.[0]?.state === 'synced';
    },
    () => 'plugin caches',
  );

  const t1 = performance.now();
  const desired = await fetch(
    `${base}/api/multi-provider/platform/storage/desired`,
  ).then(r => r.json());
  console.log(
    `desired state (gitops/clusters/${desired.cluster}, ${
      desired.kustomizations.length
    } Kustomizations rendered with kustomize): cold ${(
      performance.now() - t1
    ).toFixed(0)} ms`,
  );

  const routes: Array<[string, () => Promise<Response>]> = [
    [
      'GET entity storage',
      () =>
        fetch(
          `${base}/api/multi-provider/entity/default/component/app-7/storage`,
        ),
    ],
    [
      'GET platform storage',
      () => fetch(`${base}/api/multi-provider/platform/storage`),
    ],
    [
      'GET desired storage',
      () => fetch(`${base}/api/multi-provider/platform/storage/desired`),
    ],
    [
      'stock POST services/:id (PVCs)',
      () =>
        fetch(`${base}/api/kubernetes/services/app-7`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ entity }),
        }),
    ],
  ];
  for (const [name, call] of routes) {
    const first = await call();
    const body = await first.json();
    const size = describeAnswer(name, body);
    const times: number[] = [];
    for (let i = 0; i < iterations; i++) {
      const t = performance.now();
      const res = await call();
      await res.arrayBuffer();
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    console.log(
      `${name.padEnd(32)} p50 ${percentile(times, 50).toFixed(
        1,
      )} ms  p99 ${percentile(times, 99).toFixed(
        1,
      )} ms  (${iterations} warm calls, ${size})`,
    );
  }
  await server.close?.();
  await api.close();
  process.exit(0);
}

main().catch(err => {
  console.error(err);
  process.exit(1);
});
