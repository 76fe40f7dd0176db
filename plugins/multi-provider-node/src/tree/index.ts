export * from './TreeSource';
export * from './YamlDocumentCache';
export * from './types';
export * from './readFluxTree';
export * from './kubeObjects';
export * from './orderByDependsOn';
export * from './kustomizeBuild';
export * from './renderFluxTree';
