/**
 * The Cloudlab lab: pure helpers other packages and tests may use (inventory, labels, volume pool). The CLI entry point is `main.ts` (bin/cloudlab-lab).
 *
 * @packageDocumentation
 */
export * from './registry/labProviders';
export * from './inventory/inventory';
export * from './inventory/nodes';
export * from './storage/pvPool';
