import { CoreV1Api, KubeConfig, StorageV1Api } from '@kubernetes/client-node';
import { isStorageEvent } from '@internal/plugin-multi-provider-common';
import { resourceClient } from './KubeClusterSource';
import { filteredClient, StorageClients } from './storageTypes';

type Lister = (
  limit: number,
  cont?: string,
) => Promise<{
  items: any[];
  metadata?: { resourceVersion?: string; _continue?: string };
}>;

/**
 * The storage clients of one cluster: PVCs, PVs, StorageClasses, CSIDrivers, CSINodes and the
 * events (kept only when they are about claims or pods' volumes).
 */
export function kubeStorageClients(kc: KubeConfig): StorageClients {
  const core = kc.makeApiClient(CoreV1Api);
  const storage = kc.makeApiClient(StorageV1Api);
  const client = (path: string, list: Lister) =>
    resourceClient<any>(kc, path, list);
  return {
    pvcs: client('/api/v1/persistentvolumeclaims', (limit, cont) =>
      core.listPersistentVolumeClaimForAllNamespaces({
        limit,
        _continue: cont,
      }),
    ),
    pvs: client('/api/v1/persistentvolumes', (limit, cont) =>
      core.listPersistentVolume({ limit, _continue: cont }),
    ),
    storageClasses: client(
      '/apis/storage.k8s.io/v1/storageclasses',
      (limit, cont) => storage.listStorageClass({ limit, _continue: cont }),
    ),
    csiDrivers: client('/apis/storage.k8s.io/v1/csidrivers', (limit, cont) =>
      storage.listCSIDriver({ limit, _continue: cont }),
    ),
    csiNodes: client('/apis/storage.k8s.io/v1/csinodes', (limit, cont) =>
      storage.listCSINode({ limit, _continue: cont }),
    ),
    events: filteredClient(
      client('/api/v1/events', (limit, cont) =>
        core.listEventForAllNamespaces({ limit, _continue: cont }),
      ),
      isStorageEvent,
    ),
  };
}
