/**
 * The multi-provider backend plugin, with the default implementations of the extension points
 * declared in `@cloudlab/plugin-multi-provider-node`.
 *
 * @packageDocumentation
 */
export { multiProviderBackend as default } from './multiProviderBackend';
export { defaultServiceFactories } from './defaultServiceFactories';
// The caches, services and cluster connection, for the lab proofs and the benchmark
// (packages/lab drives them against the running lab exactly as the plugin does).
export { ClusterCache } from './shared/ClusterCache';
export type { InformerOptions } from './shared/ResourceInformer';
export { connectCluster, kubeConfigFor } from './shared/KubeClusterSource';
// The registry loader lives in the node library; re-exported for existing importers.
export { loadProviderRegistry } from '@cloudlab/plugin-multi-provider-node';
export type { ClusterConfig } from './config';
export { StorageCache } from './storage/StorageCache';
export { StorageService } from './storage/StorageService';
