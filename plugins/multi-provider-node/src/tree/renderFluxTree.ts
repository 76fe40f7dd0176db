import { KubeObject, parseObjects, substitute } from './kubeObjects';
import {
  kustomizeBuild,
  KustomizeError,
  KustomizeOptions,
} from './kustomizeBuild';
import { fluxSpecView } from './fluxSpecView';
import { orderByDependsOn } from './orderByDependsOn';
import { TreeSource } from './TreeSource';
import { ClusterInfo, KustomizationInfo } from './types';

/**
 * A Flux Kustomization with the objects it applies, or why they could not be rendered.
 *
 * @public
 */
export interface RenderedKustomization {
  kustomization: KustomizationInfo;
  objects: KubeObject[];
  /** Set when `spec.path` could not be rendered; `objects` is then empty. */
  error?: string;
}

/**
 * How Flux Kustomizations are rendered.
 *
 * @public
 */
export interface RenderOptions extends KustomizeOptions {
  /**
   * ConfigMap data by name, for `postBuild.substituteFrom` (a cluster's values that live outside
   * the tree); a Kustomization's own `postBuild.substitute` wins over them, as in Flux.
   */
  configMaps?: Record<string, Record<string, string>>;
  /** Renderings run at once; kustomize is a child process each. */
  concurrency?: number;
  /**
   * The tree a Kustomization's `spec.path` is in, when the reader followed it into another
   * source (`TreeSnapshots.snapshotOf`); the `source` given otherwise.
   */
  sourceOf?: (k: KustomizationInfo) => TreeSource;
}

function variables(
  k: KustomizationInfo,
  configMaps: RenderOptions['configMaps'] = {},
): Record<string, string> {
  return Object.assign(
    {},
    ...k.substituteFrom.map(name => configMaps[name] ?? {}),
    k.substitute,
  );
}

/**
 * Renders one directory as kustomize-controller builds it for a Kustomization: with the spec's
 * targetNamespace, namePrefix, nameSuffix and patches written into the folder's kustomization
 * (the reader's rule, in a temporary view of the tree), then its postBuild substitution.
 */
async function renderPath(
  tree: TreeSource,
  relPath: string,
  k: KustomizationInfo | undefined,
  options: RenderOptions,
): Promise<KubeObject[]> {
  const view = k?.specWritten
    ? await fluxSpecView(tree, relPath, { spec: k.specWritten })
    : undefined;
  try {
    const text = await kustomizeBuild(view?.source ?? tree, relPath, options);
    return parseObjects(
      k ? substitute(text, variables(k, options.configMaps)) : text,
    );
  } finally {
    view?.dispose();
  }
}

/**
 * Renders each Flux Kustomization's `spec.path` (relative to its source's root: `source`, or
 * `options.sourceOf`'s tree) with the one engine, in the order given. A Kustomization whose path is missing or
 * does not build gets an `error` and no objects; the others are still rendered.
 *
 * @public
 */
export async function renderFluxKustomizations(
  source: TreeSource,
  kustomizations: KustomizationInfo[],
  options: RenderOptions,
): Promise<RenderedKustomization[]> {
  const out: RenderedKustomization[] = new Array(kustomizations.length);
  let next = 0;
  const worker = async () => {
    while (next < kustomizations.length) {
      const i = next++;
      const k = kustomizations[i];
      const tree = options.sourceOf?.(k) ?? source;
      try {
        if ((await tree.stat(k.path))?.kind !== 'directory') {
          throw new Error(
            `Kustomization ${k.name}: spec.path ${k.path} does not exist${
              tree === source ? '' : ` in ${tree.description}`
            }`,
          );
        }
        out[i] = {
          kustomization: k,
          objects: await renderPath(tree, k.path, k, options),
        };
      } catch (e) {
        out[i] = {
          kustomization: k,
          objects: [],
          error: e instanceof KustomizeError ? e.detail : (e as Error).message,
        };
      }
    }
  };
  const workers = Math.max(1, options.concurrency ?? 2);
  await Promise.all(Array.from({ length: workers }, worker));
  return out;
}

/**
 * A cluster tree rendered for applying: its own directory, then every layer in dependsOn order.
 *
 * @public
 */
export interface RenderedClusterTree {
  /** The cluster directory's objects (`flux-system`, the Flux Kustomizations themselves…). */
  clusterObjects: KubeObject[];
  /** Every other Flux Kustomization, ordered so each comes after what it depends on. */
  layers: RenderedKustomization[];
}

/**
 * Renders a cluster tree as Flux would apply it. The cluster directory is the root
 * Kustomization's path, so that one's substitution applies to it. Throws when the order cannot be
 * decided or a layer cannot be rendered: a partial tree must not be applied.
 *
 * @public
 */
export async function renderClusterTree(
  source: TreeSource,
  cluster: ClusterInfo,
  options: RenderOptions,
): Promise<RenderedClusterTree> {
  const ordered = orderByDependsOn(cluster.kustomizations);
  const isRoot = (k: KustomizationInfo) => k.path === cluster.dir;
  const clusterObjects = await renderPath(
    source,
    cluster.dir,
    ordered.find(isRoot),
    options,
  );
  const layers = await renderFluxKustomizations(
    source,
    ordered.filter(k => !isRoot(k)),
    { ...options, concurrency: 1 },
  );
  const failed = layers.find(l => l.error);
  if (failed) throw new Error(failed.error);
  return { clusterObjects, layers };
}
