export * from './FluxSourceTreeProvider';
export type { FluxKindRef } from './fluxSourceObjects';
