import type { KubeConfig } from '@kubernetes/client-node';
import { createServiceRef } from '@backstage/backend-plugin-api';
import {
  KubeCSIDriverManifest,
  KubeCSINodeManifest,
  KubeEventManifest,
  KubeNode,
  KubePod,
  KubePVCManifest,
  KubePVManifest,
  KubeStorageClassManifest,
} from '@cloudlab/plugin-multi-provider-common';

/**
 * One page of a list call.
 *
 * @public
 */
export interface ListPage<T> {
  items: T[];
  resourceVersion: string;
  continueToken?: string;
}

/**
 * A watch event; `ERROR` carries a Status object (code 410 = resourceVersion too old).
 *
 * @public
 */
export type WatchEvent<T> =
  | { type: 'ADDED' | 'MODIFIED' | 'DELETED'; object: T }
  | { type: 'BOOKMARK'; object: { metadata?: { resourceVersion?: string } } }
  | { type: 'ERROR'; object: { code?: number; message?: string } };

/**
 * List + watch of one resource type in one cluster.
 *
 * @public
 */
export interface ResourceClient<T> {
  list(options: {
    limit: number;
    continueToken?: string;
  }): Promise<ListPage<T>>;
  /** Starts a watch; `onDone` is called once when it ends (error or server close). */
  watch(
    resourceVersion: string,
    onEvent: (event: WatchEvent<T>) => void,
    onDone: (err?: unknown) => void,
  ): Promise<{ stop(): void }>;
}

/**
 * A custom resource served at `/apis/<group>/<version>/<plural>` (all namespaces).
 *
 * @public
 */
export interface CustomResource {
  group: string;
  version: string;
  plural: string;
}

/**
 * The storage resource clients of one cluster (all read-only list + watch).
 *
 * @public
 */
export interface StorageClients {
  pvcs: ResourceClient<KubePVCManifest>;
  pvs: ResourceClient<KubePVManifest>;
  storageClasses: ResourceClient<KubeStorageClassManifest>;
  csiDrivers: ResourceClient<KubeCSIDriverManifest>;
  csiNodes: ResourceClient<KubeCSINodeManifest>;
  /** core/v1 events of every namespace; the backend keeps only the storage-related ones. */
  events: ResourceClient<KubeEventManifest>;
}

/**
 * The resource clients of one cluster. Secrets are never among them.
 *
 * @public
 */
export interface ClusterConnection {
  name: string;
  /**
   * The cluster's client configuration, for the watches the suite runs itself (the Flux source
   * tree provider); absent = the cluster cannot serve them.
   */
  kubeConfig?: KubeConfig;
  nodes: ResourceClient<KubeNode>;
  pods: ResourceClient<KubePod>;
  /** Storage resources (PVCs, PVs, classes, CSI objects, events); absent = no storage views. */
  storage?: StorageClients;
  /** List + watch of a custom resource (Flux, VSO…); absent CRDs fail per resource. */
  customObjects?<T>(resource: CustomResource): ResourceClient<T>;
}

/**
 * Where the clusters the multi-provider backend caches come from.
 *
 * @public
 */
export interface ClusterSource {
  getClusters(): ClusterConnection[];
}

/**
 * The clusters the multi-provider backend caches. The backend's default reads configuration (the
 * kubernetes plugin's `clusterLocatorMethods` plus `multiProvider.kubeconfig`); install another
 * factory for this ref to supply clusters from elsewhere.
 *
 * @public
 */
export const clusterSourceServiceRef = createServiceRef<ClusterSource>({
  id: 'multi-provider.cluster-source',
});
