import {
  findProvider,
  PROVIDER_LABEL,
  Provider,
} from '../registry/labProviders';
import { NodePool, Taint } from './inventory';

/** Marks the nodes kwok manages (kwok runs with the matching annotation selector). */
export const KWOK_ANNOTATION = 'kwok.x-k8s.io/node';
/** Marks every object the lab itself creates (nodes, volumes), for status and cleanup. */
export const LAB_MANAGED_LABEL = 'cloudlab.dev/lab';
/** Max pods per simulated node (the kubelet default). */
export const PODS_PER_NODE = '110';

/** Everything needed to create one simulated Node object. */
export interface NodeSpec {
  name: string;
  provider: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  taints: Taint[];
  providerID: string;
  capacity: Record<string, string>;
}

/**
 * The labels a real node of this provider carries: provider, region, zone, instance type, hostname
 * and the provider's CSI topology key (at the registry's topology level: region or zone).
 */
export function nodeLabels(
  provider: Provider,
  pool: Pick<NodePool, 'region' | 'zone' | 'instanceType' | 'labels'>,
  hostname: string,
): Record<string, string> {
  const storage = provider.storage;
  return {
    ...pool.labels,
    [PROVIDER_LABEL]: provider.name,
    'topology.kubernetes.io/region': pool.region,
    'topology.kubernetes.io/zone': pool.zone,
    'node.kubernetes.io/instance-type': pool.instanceType,
    'kubernetes.io/hostname': hostname,
    'kubernetes.io/os': 'linux',
    'kubernetes.io/arch': 'amd64',
    [storage.topologyKey]:
      storage.topologyLevel === 'region' ? pool.region : pool.zone,
    type: 'kwok',
    [LAB_MANAGED_LABEL]: 'true',
  };
}

/** Default node name prefix of a pool. */
export function poolPrefix(pool: NodePool): string {
  return (pool.name ?? `${pool.provider}-${pool.zone}-${pool.instanceType}`)
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-');
}

/**
 * Expands node pools into node specs. `startIndex` numbers nodes after existing ones (lab scale),
 * `count` overrides the pools' counts by spreading that many nodes round-robin over the pools.
 */
export function expandNodes(
  pools: NodePool[],
  providers: Provider[],
  options: { prefix?: string; count?: number } = {},
): NodeSpec[] {
  const plan: Array<{ pool: NodePool; index: number }> = [];
  if (options.count === undefined) {
    for (const pool of pools) {
      for (let i = 1; i <= pool.count; i++) plan.push({ pool, index: i });
    }
  } else {
    const perPool = new Map<NodePool, number>();
    for (let i = 0; i < options.count; i++) {
      const pool = pools[i % pools.length];
      const index = (perPool.get(pool) ?? 0) + 1;
      perPool.set(pool, index);
      plan.push({ pool, index });
    }
  }
  return plan.map(({ pool, index }) => {
    const provider = findProvider(providers, pool.provider);
    if (!provider) throw new Error(`unknown provider ${pool.provider}`);
    const instance = provider.instanceTypes.find(
      t => t.name === pool.instanceType,
    );
    if (!instance)
      throw new Error(`unknown instance type ${pool.instanceType}`);
    const name = `${options.prefix ?? ''}${poolPrefix(pool)}-${index}`;
    const scheme = provider.detection.providerIDSchemes[0] ?? provider.name;
    return {
      name,
      provider: provider.name,
      labels: nodeLabels(provider, pool, name),
      annotations: { [KWOK_ANNOTATION]: 'fake' },
      taints: pool.taints,
      providerID: `${scheme}://lab/${pool.zone}/${name}`,
      capacity: {
        cpu: instance.cpu,
        memory: instance.memory,
        pods: PODS_PER_NODE,
        'ephemeral-storage': '100Gi',
      },
    };
  });
}

/** The Node object for a spec (status is filled in by kwok's node stages). */
export function nodeObject(spec: NodeSpec) {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: spec.name,
      labels: spec.labels,
      annotations: spec.annotations,
    },
    spec: {
      providerID: spec.providerID,
      taints: spec.taints.length > 0 ? spec.taints : undefined,
    },
    status: {
      capacity: spec.capacity,
      allocatable: spec.capacity,
    },
  };
}

/**
 * The CSINode a real node's kubelet registers once its provider's CSI node plugin runs there:
 * the driver, the node ID and the topology key. kwok runs no kubelet, so the lab creates it.
 */
export function csiNodeObject(spec: NodeSpec, providers: Provider[]) {
  const storage = findProvider(providers, spec.provider)?.storage;
  return {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'CSINode',
    metadata: {
      name: spec.name,
      labels: { [LAB_MANAGED_LABEL]: 'true' },
    },
    spec: {
      drivers: storage
        ? [
            {
              name: storage.csiDriver,
              nodeID: spec.providerID,
              topologyKeys: [storage.topologyKey],
            },
          ]
        : [],
    },
  };
}
