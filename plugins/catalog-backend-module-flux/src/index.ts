/**
 * Catalog module: entities for every Flux-reconciled service in Cloudlab's `gitops/`, the
 * clusters, providers and StorageClasses, merged with the hand-written `catalog/`.
 *
 * @packageDocumentation
 */
export { catalogModuleFlux as default } from './module';
// The Flux tree reader, shared with the multi-provider backend's desired-state storage view.
export { readFluxTree } from './tree/readFluxTree';
export { YamlFileCache } from './tree/YamlFileCache';
export type { FluxModel, KustomizationInfo, ClusterInfo } from './tree/types';
