export * from './clusterSource';
export * from './fluxOperator';
export * from './gitopsTree';
