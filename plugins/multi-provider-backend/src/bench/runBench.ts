/* eslint-disable no-console */
// Benchmark: `yarn workspace @internal/plugin-multi-provider-backend bench [--nodes N] [--pods N]
// [--kubeconfig path]`. Prints figures (cold sync, cache bytes/pod, route latency); asserts nothing.
import { LoggerService } from '@backstage/backend-plugin-api';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { KubeNode, KubePod } from '@internal/plugin-multi-provider-common';
import { KubeConfig } from '@kubernetes/client-node';
import express from 'express';
import { AddressInfo } from 'net';
import path from 'path';
import { ClusterCache } from '../cache/ClusterCache';
import { DEFAULT_REGISTRY_DIR, findRepoRoot } from '../config';
import { InMemoryCluster } from '../clusters/InMemoryClusterSource';
import { connectCluster } from '../clusters/KubeClusterSource';
import { ClusterConnection } from '../clusters/types';
import { loadProviderRegistry } from '../registry/loadProviderRegistry';
import { placementRoutes } from '../routes/placementRoutes';
import { PlacementService } from '../services/PlacementService';

const quietLogger: LoggerService = {
  error: () => {},
  warn: () => {},
  info: () => {},
  debug: () => {},
  child: () => quietLogger,
};

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const PROVIDERS = [
  {
    name: 'hetzner',
    zones: [
      ['fsn1', 'fsn1-dc14'],
      ['nbg1', 'nbg1-dc3'],
      ['hel1', 'hel1-dc2'],
    ],
  },
  {
    name: 'scaleway',
    zones: [
      ['fr-par', 'fr-par-1'],
      ['fr-par', 'fr-par-2'],
      ['nl-ams', 'nl-ams-1'],
    ],
  },
];

function syntheticCluster(
  nodeCount: number,
  podCount: number,
): InMemoryCluster {
  const nodes: KubeNode[] = Array.from({ length: nodeCount }, (_, i) => {
    const p = PROVIDERS[i % 2];
    const [region, zone] = p.zones[i % 3];
    return {
      metadata: {
        name: `${p.name}-${i}`,
        labels: {
          'cfke.io/provider': p.name,
          'kubernetes.io/hostname': `${p.name}-${i}`,
          'kubernetes.io/os': 'linux',
          'topology.kubernetes.io/region': region,
          'topology.kubernetes.io/zone': zone,
          'node.kubernetes.io/instance-type': 'cx32',
        },
      },
      spec: {
        providerID: `${p.name === 'hetzner' ? 'hcloud' : 'scaleway'}://${i}`,
      },
      status: {
        capacity: { cpu: '16', memory: '64Gi', pods: '110' },
        allocatable: { cpu: '15800m', memory: '62Gi', pods: '110' },
        conditions: [{ type: 'Ready', status: 'True' }],
      },
    };
  });
  const pods: KubePod[] = Array.from({ length: podCount }, (_, i) => {
    const app = `app-${i % 500}`;
    const hash = '7c4b9d8f6';
    return {
      metadata: {
        name: `${app}-${hash}-${i}`,
        namespace: `ns-${i % 40}`,
        labels: {
          'app.kubernetes.io/name': app,
          'backstage.io/kubernetes-id': app,
          'pod-template-hash': hash,
        },
        ownerReferences: [
          { kind: 'ReplicaSet', name: `${app}-${hash}`, controller: true },
        ],
      },
      spec: {
        nodeName: nodes[i % nodeCount].metadata!.name,
        containers: [
          { resources: { requests: { cpu: '50m', memory: '64Mi' } } },
        ],
        tolerations: [
          {
            key: 'node.kubernetes.io/not-ready',
            operator: 'Exists',
            effect: 'NoExecute',
          },
          {
            key: 'node.kubernetes.io/unreachable',
            operator: 'Exists',
            effect: 'NoExecute',
          },
        ],
        ...(i % 3 === 0
          ? { nodeSelector: { 'cfke.io/provider': PROVIDERS[i % 2].name } }
          : {}),
      },
      status: {
        phase: 'Running',
        conditions: [{ type: 'PodScheduled', status: 'True' }],
      },
    };
  });
  return new InMemoryCluster('synthetic', { nodes, pods });
}

function percentile(sorted: number[], p: number) {
  return sorted[
    Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))
  ];
}

async function main() {
  const kubeconfig = arg('kubeconfig');
  let connection: ClusterConnection;
  if (kubeconfig) {
    const kc = new KubeConfig();
    kc.loadFromFile(kubeconfig);
    connection = connectCluster(kc.getCurrentContext(), kc);
  } else {
    connection = syntheticCluster(
      Number(arg('nodes') ?? 1000),
      Number(arg('pods') ?? 20000),
    );
  }
  const registry = loadProviderRegistry(
    path.join(findRepoRoot(process.cwd()), DEFAULT_REGISTRY_DIR),
  );

  global.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const cache = new ClusterCache(connection, quietLogger, {
    pageSize: 500,
  });
  const t0 = performance.now();
  cache.start();
  while (cache.status().state !== 'synced') {
    if (cache.status().state === 'error')
      throw new Error(cache.status().lastError);
    await new Promise(r => setTimeout(r, 5));
  }
  const coldSyncMs = performance.now() - t0;
  global.gc?.();
  const heapAfter = process.memoryUsage().heapUsed;
  const pods = [...cache.pods.items.values()];
  const jsonBytes = pods.reduce((n, p) => n + JSON.stringify(p).length, 0);

  const entityName = pods[0]?.labels?.['backstage.io/kubernetes-id'] ?? 'none';
  const catalog = {
    getEntityByRef: async () => ({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: {
        name: entityName,
        namespace: 'default',
        annotations: { 'backstage.io/kubernetes-id': entityName },
      },
    }),
  } as any;
  const placement = new PlacementService([cache], () => registry, catalog);
  const app = express().use(
    placementRoutes({
      httpAuth: { credentials: async () => ({}) } as any,
      permissions: {
        authorize: async () => [{ result: AuthorizeResult.ALLOW }],
      } as any,
      placement,
    }),
  );
  const server = app.listen(0);
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const routes: Array<[string, () => Promise<Response>]> = [
    [
      'GET entity placement',
      () => fetch(`${base}/entity/default/component/${entityName}/placement`),
    ],
    ['GET platform placement', () => fetch(`${base}/platform/placement`)],
    [
      'POST failure-domain',
      () =>
        fetch(`${base}/platform/failure-domain`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ level: 'provider', name: 'hetzner' }),
        }),
    ],
    ['GET clusters', () => fetch(`${base}/clusters`)],
  ];
  const iterations = Number(arg('iterations') ?? 50);
  console.log(
    `cluster ${connection.name}: ${cache.nodes.items.size} nodes, ${pods.length} pods`,
  );
  console.log(
    `cold sync (paginated list, page 500): ${coldSyncMs.toFixed(0)} ms`,
  );
  console.log(
    `cache: ${(jsonBytes / Math.max(1, pods.length)).toFixed(
      0,
    )} bytes/pod as JSON, ` +
      `${((heapAfter - heapBefore) / Math.max(1, pods.length)).toFixed(
        0,
      )} bytes/pod heap delta` +
      `${
        global.gc ? '' : ' (run with --expose-gc for a steadier heap figure)'
      }`,
  );
  for (const [name, call] of routes) {
    await (await call()).arrayBuffer();
    const times: number[] = [];
    for (let i = 0; i < iterations; i++) {
      const t = performance.now();
      const res = await call();
      await res.arrayBuffer();
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    console.log(
      `${name.padEnd(24)} p50 ${percentile(times, 50).toFixed(
        1,
      )} ms  p99 ${percentile(times, 99).toFixed(
        1,
      )} ms  (${iterations} warm calls)`,
    );
  }
  server.close();
  cache.stop();
}

main().catch(err => {
  console.error(err);
  process.exit(1);
});
