import {
  compareQuantities,
  parseQuantity,
} from '@cloudlab/plugin-multi-provider-common';
import {
  findProvider,
  PROVIDER_LABEL,
  Provider,
} from '../registry/labProviders';
import { NodeSpec, LAB_MANAGED_LABEL } from '../inventory/nodes';

/** Labels every pre-created volume carries. */
export const PV_POOL_LABEL = 'cloudlab.dev/lab-volume-pool';

/** One pre-created volume of the pool. */
export interface PoolVolume {
  name: string;
  provider: string;
  storageClassName: string;
  driver: string;
  topologyKey: string;
  topologyValue: string;
  size: string;
  reclaimPolicy: 'Delete' | 'Retain';
}

/**
 * The CSI topology domains that have nodes, per provider (a Hetzner location, a Scaleway zone),
 * providers and values sorted: where a volume of that provider can be attached.
 */
export function topologyDomains(
  nodes: NodeSpec[],
  providers: Provider[],
): Map<string, Set<string>> {
  const domains = new Map<string, Set<string>>();
  for (const node of nodes) {
    const provider = findProvider(providers, node.provider);
    if (!provider) continue;
    const value = node.labels[provider.storage.topologyKey];
    if (!value) continue;
    if (!domains.has(node.provider)) domains.set(node.provider, new Set());
    domains.get(node.provider)!.add(value);
  }
  return new Map(
    [...domains.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => [k, new Set([...v].sort())]),
  );
}

/**
 * Plans the volume pool: for every provider storage class and every CSI topology domain that has
 * nodes (a Hetzner location, a Scaleway zone), `copies` volumes of each size. Sizes below the
 * provider's minimum are raised to it (that is what the provider would do), duplicates merged.
 */
export function planVolumePool(
  nodes: NodeSpec[],
  providers: Provider[],
  pool: { sizes: string[]; copies: number },
): PoolVolume[] {
  const domains = topologyDomains(nodes, providers);
  const volumes: PoolVolume[] = [];
  for (const [providerName, values] of domains) {
    const provider = findProvider(providers, providerName)!;
    const storage = provider.storage;
    const min = parseQuantity(storage.minVolumeSize);
    const sizes = [
      ...new Set(
        pool.sizes.map(s =>
          compareQuantities(parseQuantity(s), min) < 0
            ? storage.minVolumeSize
            : s,
        ),
      ),
    ];
    for (const cls of storage.classes) {
      for (const value of values) {
        for (const size of sizes) {
          for (let copy = 1; copy <= pool.copies; copy++) {
            volumes.push({
              name: `lab-${cls.name}-${value}-${size}-${copy}`.toLowerCase(),
              provider: providerName,
              storageClassName: cls.name,
              driver: storage.csiDriver,
              topologyKey: storage.topologyKey,
              topologyValue: value,
              size,
              reclaimPolicy: cls.reclaimPolicy,
            });
          }
        }
      }
    }
  }
  return volumes;
}

/**
 * The PersistentVolume for a pool volume: a CSI volume of the provider's driver whose nodeAffinity
 * on the CSI topology key is what the scheduler's volume binding and the PV controller check.
 */
export function persistentVolumeObject(
  v: PoolVolume,
  options: {
    /** Replaces the pool label (volumes of `lab scale` carry the scale label instead). */
    labels?: Record<string, string>;
    /** Pre-binds the volume to this claim (the PV controller then binds both at once). */
    claimRef?: { namespace: string; name: string };
  } = {},
) {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: {
      name: v.name,
      labels: {
        ...(options.labels ?? { [PV_POOL_LABEL]: 'true' }),
        [LAB_MANAGED_LABEL]: 'true',
        [PROVIDER_LABEL]: v.provider,
      },
      annotations: { 'pv.kubernetes.io/provisioned-by': v.driver },
    },
    spec: {
      ...(options.claimRef
        ? {
            claimRef: {
              apiVersion: 'v1',
              kind: 'PersistentVolumeClaim',
              ...options.claimRef,
            },
          }
        : {}),
      capacity: { storage: v.size },
      accessModes: ['ReadWriteOnce'],
      persistentVolumeReclaimPolicy: v.reclaimPolicy,
      storageClassName: v.storageClassName,
      volumeMode: 'Filesystem',
      csi: {
        driver: v.driver,
        volumeHandle: `lab-${v.topologyValue}-${v.name}`,
        fsType: 'ext4',
      },
      nodeAffinity: {
        required: {
          nodeSelectorTerms: [
            {
              matchExpressions: [
                {
                  key: v.topologyKey,
                  operator: 'In',
                  values: [v.topologyValue],
                },
              ],
            },
          ],
        },
      },
    },
  };
}
