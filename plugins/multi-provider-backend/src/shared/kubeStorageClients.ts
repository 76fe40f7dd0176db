import { isStorageEvent } from '@cloudlab/plugin-multi-provider-common';
import {
  ResourceClient,
  StorageClients,
} from '@cloudlab/plugin-multi-provider-node';
import { filteredClient } from './filteredClient';

/**
 * The storage clients of one cluster: PVCs, PVs, StorageClasses, CSIDrivers, CSINodes and the
 * events (kept only when they are about claims or pods' volumes).
 */
export function kubeStorageClients(
  client: (path: string) => ResourceClient<any>,
): StorageClients {
  return {
    pvcs: client('/api/v1/persistentvolumeclaims'),
    pvs: client('/api/v1/persistentvolumes'),
    storageClasses: client('/apis/storage.k8s.io/v1/storageclasses'),
    csiDrivers: client('/apis/storage.k8s.io/v1/csidrivers'),
    csiNodes: client('/apis/storage.k8s.io/v1/csinodes'),
    events: filteredClient(client('/api/v1/events'), isStorageEvent),
  };
}
