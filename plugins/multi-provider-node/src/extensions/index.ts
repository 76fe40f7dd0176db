export * from './clusterSource';
export * from './fluxOperator';
export * from './treeSource';
