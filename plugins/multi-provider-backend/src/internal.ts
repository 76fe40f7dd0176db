/**
 * Internals for this repository's lab proofs (`@cloudlab/lab`) and benchmark
 * (`@internal/cloudlab-bench`), which drive the caches, services and routers directly, against
 * the running lab exactly as the plugin does. Not part of the plugin's API: everything here is
 * `@alpha` and may change without notice.
 *
 * @packageDocumentation
 */
export { multiProviderBackend } from './multiProviderBackend';
export type { ClusterConfig } from './config';
export { ClusterCache } from './shared/ClusterCache';
export { ResourceInformer } from '@cloudlab/plugin-multi-provider-node';
export type {
  InformerOptions,
  ItemListener,
  Meta,
} from '@cloudlab/plugin-multi-provider-node';
export { PodIndex } from './shared/PodIndex';
export { AnswerMemo, versionTag } from './shared/answerMemo';
export { LiveSignals } from './shared/liveSignals';
export type { LiveSignalsOptions } from './shared/liveSignals';
export type { JsonAnswer, MemoAnswer } from './shared/answerMemo';
export {
  InMemoryCluster,
  InMemoryResource,
} from './shared/InMemoryClusterSource';
export type { Keyed } from './shared/InMemoryClusterSource';
export type {
  InMemoryStorage,
  InMemoryStorageInit,
} from './shared/inMemoryStorage';
export { connectCluster, kubeConfigFor } from './shared/KubeClusterSource';
export { kubeList } from '@cloudlab/plugin-multi-provider-node';
export type { KubeListPage } from '@cloudlab/plugin-multi-provider-node';
export {
  entityPodQuery,
  KUBERNETES_NAMESPACE_ANNOTATION,
} from './shared/entityPods';
export type { EntityPodQuery } from './shared/entityPods';
export { PlacementService } from './placement/PlacementService';
export { placementRoutes } from './placement/placementRouter';
export type { PlacementRoutesOptions } from './placement/placementRouter';
export { CostService } from './cost/CostService';
export type { CostServiceOptions } from './cost/CostService';
export { costRoutes } from './cost/costRouter';
export type { CostRoutesOptions } from './cost/costRouter';
export { StorageCache } from './storage/StorageCache';
export type { StorageCacheStatus } from './storage/StorageCache';
export { ObjectStamps } from './storage/ObjectStamps';
export { StorageService } from './storage/StorageService';
