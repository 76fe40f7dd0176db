import {
  KubeCSIDriverManifest,
  KubeCSINodeManifest,
  KubeEventManifest,
  KubePVCManifest,
  KubePVManifest,
  KubeStorageClassManifest,
} from '@cloudlab/plugin-multi-provider-common';
// A module cycle with InMemoryClusterSource, resolved at call time (never at load).
import { InMemoryResource } from './InMemoryClusterSource';
import { StorageClients } from '@cloudlab/plugin-multi-provider-node';

/**
 * Initial storage objects of an in-memory cluster.
 *
 * @alpha
 */
export interface InMemoryStorageInit {
  pvcs?: KubePVCManifest[];
  pvs?: KubePVManifest[];
  storageClasses?: KubeStorageClassManifest[];
  csiDrivers?: KubeCSIDriverManifest[];
  csiNodes?: KubeCSINodeManifest[];
  events?: KubeEventManifest[];
}

/**
 * The in-memory storage resources of an in-memory cluster.
 *
 * @alpha
 */
export interface InMemoryStorage extends StorageClients {
  pvcs: InMemoryResource<KubePVCManifest>;
  pvs: InMemoryResource<KubePVManifest>;
  storageClasses: InMemoryResource<KubeStorageClassManifest>;
  csiDrivers: InMemoryResource<KubeCSIDriverManifest>;
  csiNodes: InMemoryResource<KubeCSINodeManifest>;
  events: InMemoryResource<KubeEventManifest>;
}

/** Builds the storage resources of an in-memory cluster. */
export function inMemoryStorage(init: InMemoryStorageInit): InMemoryStorage {
  const Resource = InMemoryResource;
  return {
    pvcs: new Resource(init.pvcs),
    pvs: new Resource(init.pvs),
    storageClasses: new Resource(init.storageClasses),
    csiDrivers: new Resource(init.csiDrivers),
    csiNodes: new Resource(init.csiNodes),
    events: new Resource(init.events),
  };
}
