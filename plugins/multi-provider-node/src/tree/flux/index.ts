export * from './FluxSourceTreeProvider';
export {
  FLUX_SOURCE_KINDS,
  KUSTOMIZATION_KIND,
  artifactFetchUrl,
} from './fluxSourceObjects';
export type { FluxKindRef } from './fluxSourceObjects';
