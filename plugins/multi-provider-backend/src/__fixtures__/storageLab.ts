import { LoggerService } from '@backstage/backend-plugin-api';
import { ClusterCache } from '../shared/ClusterCache';
import { InMemoryCluster } from '../shared/InMemoryClusterSource';
import { StorageCache } from '../storage/StorageCache';

/** A small two-provider cluster with storage: the fixture of the storage tests. */
export const CONFLICT =
  "0/2 nodes are available: 1 node(s) had volume node affinity conflict, 1 node(s) didn't match Pod's node affinity/selector.";

export const node = (
  name: string,
  provider: string,
  zone: string,
  topo: Record<string, string>,
) => ({
  metadata: {
    name,
    labels: {
      'cfke.io/provider': provider,
      'topology.kubernetes.io/zone': zone,
      ...topo,
    },
  },
  status: { conditions: [{ type: 'Ready', status: 'True' }] },
});
export const pod = (
  name: string,
  claim: string,
  provider: string,
  nodeName?: string,
) => ({
  metadata: {
    name,
    namespace: 'shop',
    labels: { 'backstage.io/kubernetes-id': 'web' },
  },
  spec: {
    nodeName,
    nodeSelector: { 'cfke.io/provider': provider },
    volumes: [{ name: 'd', persistentVolumeClaim: { claimName: claim } }],
  },
  status: { phase: nodeName ? 'Running' : 'Pending' },
});
export const pvc = (name: string, cls: string, volumeName?: string) => ({
  metadata: { name, namespace: 'shop' },
  spec: {
    storageClassName: cls,
    volumeName,
    accessModes: ['ReadWriteOnce'],
    resources: { requests: { storage: '10Gi' } },
  },
  status: {
    phase: volumeName ? 'Bound' : 'Pending',
    capacity: volumeName ? { storage: '10Gi' } : undefined,
  },
});
export const pv = (
  name: string,
  driver: string,
  cls: string,
  key: string,
  value: string,
  claim: string,
) => ({
  metadata: { name },
  spec: {
    storageClassName: cls,
    csi: { driver },
    capacity: { storage: '10Gi' },
    claimRef: { name: claim, namespace: 'shop' },
    nodeAffinity: {
      required: {
        nodeSelectorTerms: [
          { matchExpressions: [{ key, operator: 'In', values: [value] }] },
        ],
      },
    },
  },
  status: { phase: 'Bound' },
});

export function lab() {
  return new InMemoryCluster('lab', {
    nodes: [
      node('h1', 'hetzner', 'fsn1-dc14', {
        'csi.hetzner.cloud/location': 'fsn1',
      }),
      node('s1', 'scaleway', 'fr-par-1', {
        'topology.csi.scaleway.com/zone': 'fr-par-1',
      }),
    ] as any,
    pods: [
      pod('web-ok', 'data', 'hetzner', 'h1'),
      pod('web-stuck', 'wrong', 'hetzner'),
    ] as any,
    pvcs: [
      pvc('data', 'hcloud-volumes', 'pv-h'),
      pvc('wrong', 'scw-bssd', 'pv-s'),
    ],
    pvs: [
      pv(
        'pv-h',
        'csi.hetzner.cloud',
        'hcloud-volumes',
        'csi.hetzner.cloud/location',
        'fsn1',
        'data',
      ),
      pv(
        'pv-s',
        'csi.scaleway.com',
        'scw-bssd',
        'topology.csi.scaleway.com/zone',
        'fr-par-1',
        'wrong',
      ),
    ],
    storageClasses: [
      {
        metadata: { name: 'hcloud-volumes' },
        provisioner: 'csi.hetzner.cloud',
        volumeBindingMode: 'WaitForFirstConsumer',
        allowVolumeExpansion: true,
      },
      {
        metadata: { name: 'scw-bssd' },
        provisioner: 'csi.scaleway.com',
        volumeBindingMode: 'WaitForFirstConsumer',
      },
    ],
    csiDrivers: [
      { metadata: { name: 'csi.hetzner.cloud' } },
      { metadata: { name: 'csi.scaleway.com' } },
    ],
    csiNodes: [
      {
        metadata: { name: 'h1' },
        spec: { drivers: [{ name: 'csi.hetzner.cloud' }] },
      },
      { metadata: { name: 's1' }, spec: { drivers: [] } },
    ],
    events: [
      {
        metadata: { name: 'e1', namespace: 'shop' },
        involvedObject: { kind: 'Pod', name: 'web-stuck', namespace: 'shop' },
        reason: 'FailedScheduling',
        message: CONFLICT,
        lastTimestamp: '2026-01-01T00:00:00Z',
      },
      {
        metadata: { name: 'e2', namespace: 'shop' },
        involvedObject: { kind: 'Pod', name: 'web-ok', namespace: 'shop' },
        reason: 'Pulled',
        message: 'image pulled',
      },
    ],
  });
}

/** Placement and storage caches over an in-memory cluster, started and synced (for tests). */
export async function syncedStorageCaches(
  cluster: InMemoryCluster,
  logger: LoggerService,
) {
  const cache = new ClusterCache(cluster, logger);
  const storage = new StorageCache(cache, cluster.storage, logger);
  cache.start();
  storage.start();
  for (let i = 0; i < 200 && storage.status().state !== 'synced'; i++) {
    await new Promise(r => setTimeout(r, 10));
  }
  return {
    cache,
    storage,
    stop() {
      storage.stop();
      cache.stop();
    },
  };
}
