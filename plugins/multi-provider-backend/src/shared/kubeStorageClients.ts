import { KubeConfig } from '@kubernetes/client-node';
import { isStorageEvent } from '@cloudlab/plugin-multi-provider-common';
import { resourceClient } from './KubeClusterSource';
import { StorageClients } from '@cloudlab/plugin-multi-provider-node';
import { filteredClient } from './filteredClient';

/**
 * The storage clients of one cluster: PVCs, PVs, StorageClasses, CSIDrivers, CSINodes and the
 * events (kept only when they are about claims or pods' volumes).
 */
export function kubeStorageClients(kc: KubeConfig): StorageClients {
  const client = (path: string) => resourceClient<any>(kc, path);
  return {
    pvcs: client('/api/v1/persistentvolumeclaims'),
    pvs: client('/api/v1/persistentvolumes'),
    storageClasses: client('/apis/storage.k8s.io/v1/storageclasses'),
    csiDrivers: client('/apis/storage.k8s.io/v1/csidrivers'),
    csiNodes: client('/apis/storage.k8s.io/v1/csinodes'),
    events: filteredClient(client('/api/v1/events'), isStorageEvent),
  };
}
