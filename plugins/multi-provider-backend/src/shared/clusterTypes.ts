import { KubeNode, KubePod } from '@internal/plugin-multi-provider-common';
import type { StorageClients } from './storageTypes';

/** One page of a list call. */
export interface ListPage<T> {
  items: T[];
  resourceVersion: string;
  continueToken?: string;
}

/** A watch event; `ERROR` carries a Status object (code 410 = resourceVersion too old). */
export type WatchEvent<T> =
  | { type: 'ADDED' | 'MODIFIED' | 'DELETED'; object: T }
  | { type: 'BOOKMARK'; object: { metadata?: { resourceVersion?: string } } }
  | { type: 'ERROR'; object: { code?: number; message?: string } };

/** List + watch of one resource type in one cluster. */
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

/** A custom resource served at `/apis/<group>/<version>/<plural>` (all namespaces). */
export interface CustomResource {
  group: string;
  version: string;
  plural: string;
}

/** The resource clients of one cluster. Secrets are never among them. */
export interface ClusterConnection {
  name: string;
  nodes: ResourceClient<KubeNode>;
  pods: ResourceClient<KubePod>;
  /** Storage resources (PVCs, PVs, classes, CSI objects, events); absent = no storage views. */
  storage?: StorageClients;
  /** List + watch of a custom resource (Flux, VSO…); absent CRDs fail per resource. */
  customObjects?<T>(resource: CustomResource): ResourceClient<T>;
}

/** Where the clusters come from: configuration in production, fakes in tests. */
export interface ClusterSource {
  getClusters(): ClusterConnection[];
}
