export * from './TreeSource';
export * from './GitopsTreeProvider';
export * from './TreeSnapshots';
export * from './YamlDocumentCache';
export * from './types';
export * from './readFluxTree';
export * from './kubeObjects';
export * from './orderByDependsOn';
export * from './kustomizeBuild';
export * from './renderFluxTree';
export * from './LocalTreeProvider';
export * from './UrlTreeProvider';
export * from './createGitopsTreeProvider';
export * from './artifact';
export * from './artifactGenerator';
export * from './originLocation';
export * from './kustomizeTransforms';
export * from './flux';
export {
  defaultParseWorkers,
  YamlParsePool,
  type FileLook,
  type KnownFile,
  type ParsedYaml,
} from './YamlParsePool';
export * from './treeManifest';
