/**
 * Catalog module: entities for every Flux-reconciled service in Cloudlab's `gitops/`, the
 * clusters, providers and StorageClasses, merged with the hand-written `catalog/`.
 *
 * @packageDocumentation
 */
export { catalogModuleFlux as default } from './module';
