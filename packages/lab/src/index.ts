/**
 * The Cloudlab lab: pure helpers other packages and tests may use (inventory, labels, volume pool,
 * gitops tree ordering). The CLI entry point is `main.ts` (bin/cloudlab-lab).
 *
 * @packageDocumentation
 */
export * from './registry/labProviders';
export * from './inventory/inventory';
export * from './inventory/nodes';
export * from './storage/pvPool';
export * from './gitops/fluxKustomizations';
