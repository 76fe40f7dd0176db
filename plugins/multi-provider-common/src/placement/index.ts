export * from './nodeInfo';
export * from './intent';
export * from './services';
export * from './entityPlacement';
export * from './platformSummary';
export * from './failureDomain';
export * from './workloadIntent';
export * from './pinnedProvider';
