import path from 'node:path';
import {
  defaultKustomizeCommand,
  LocalTreeSource,
  readFluxTree,
  RenderedClusterTree,
  renderClusterTree,
  YamlDocumentCache,
} from '@cloudlab/plugin-multi-provider-node';

/**
 * Renders one cluster tree of the repository (`gitops/clusters/<name>`, given as its directory)
 * for `lab up` to apply, with the suite's one reader and renderer: the cluster directory, then
 * every Flux Kustomization's `spec.path` in `dependsOn` order with postBuild substitution from
 * `configMaps` (by name). Throws when the cluster tree does not exist, when one of its files
 * cannot be read as Flux would (a Kustomization left out of the model would silently not be
 * applied), or when a layer does not render: a partial tree must not be applied.
 */
export async function renderLabTree(
  root: string,
  clusterDir: string,
  configMaps: Record<string, Record<string, string>> = {},
): Promise<RenderedClusterTree> {
  const rel = path.relative(root, clusterDir).split(path.sep).join('/');
  const gitopsDir = path.posix.dirname(path.posix.dirname(rel));
  const source = new LocalTreeSource(root);
  const cache = new YamlDocumentCache(source);
  cache.begin();
  const model = await readFluxTree(cache, gitopsDir);
  const cluster = model.clusters.find(c => c.dir === rel);
  if (!cluster) {
    throw new Error(`no cluster tree at ${rel}`);
  }
  const errors = cache
    .fileErrors()
    .filter(e => e.file === rel || e.file.startsWith(`${rel}/`));
  if (errors.length > 0) {
    throw new Error(errors.map(e => `${e.file}: ${e.reason}`).join('; '));
  }
  return renderClusterTree(source, cluster, {
    command: defaultKustomizeCommand(root),
    configMaps,
  });
}
