export * from './FluxSourceTreeProvider';
export type { FluxKindRef, FluxObject } from './fluxSourceObjects';
