/**
 * The multi-provider backend plugin.
 *
 * @packageDocumentation
 */
export { multiProviderPlugin as default } from './plugin';
// The caches and services, for the lab proofs and the benchmark (packages/lab drives them
// against the running lab exactly as the plugin does).
export { ClusterCache } from './cache/ClusterCache';
export { connectCluster } from './clusters/KubeClusterSource';
export { loadProviderRegistry } from './registry/loadProviderRegistry';
export { StorageCache } from './storage/StorageCache';
export { StorageService } from './storage/StorageService';
