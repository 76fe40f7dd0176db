export * from './common';
export * from './clusterStatus';
export * from './entityPlacement';
export * from './platformPlacement';
export * from './failureDomain';
export * from './routes';
export * from './storage';
export * from './gitops';
