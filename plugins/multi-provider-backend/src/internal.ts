/**
 * Internals for the bench package (`@internal/cloudlab-bench`), which drives the caches,
 * services and routers directly to measure them. Not part of the plugin's API: anything here may
 * change without notice.
 *
 * @packageDocumentation
 * @internal
 */
export { multiProviderBackend } from './multiProviderBackend';
export type { ClusterConfig } from './config';
export { ClusterCache } from './shared/ClusterCache';
export { InMemoryCluster } from './shared/InMemoryClusterSource';
export { connectCluster, kubeConfigFor } from './shared/KubeClusterSource';
export { kubeList } from './shared/kubeWatch';
export {
  entityPodQuery,
  KUBERNETES_NAMESPACE_ANNOTATION,
} from './shared/entityPods';
export { PlacementService } from './placement/PlacementService';
export { placementRoutes } from './placement/placementRouter';
export { StorageCache } from './storage/StorageCache';
export { StorageService } from './storage/StorageService';
