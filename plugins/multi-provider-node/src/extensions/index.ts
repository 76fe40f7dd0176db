export * from './treeSource';
