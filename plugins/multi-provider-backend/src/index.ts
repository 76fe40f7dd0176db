/**
 * The multi-provider backend plugin.
 *
 * @packageDocumentation
 */
export { multiProviderPlugin as default } from './plugin';
// The cache and its cluster connection, for lab integration tests and the benchmark.
export { ClusterCache } from './cache/ClusterCache';
export type { InformerOptions } from './cache/ResourceInformer';
export { connectCluster, kubeConfigFor } from './clusters/KubeClusterSource';
export { loadProviderRegistry } from './registry/loadProviderRegistry';
export type { ClusterConfig } from './config';
