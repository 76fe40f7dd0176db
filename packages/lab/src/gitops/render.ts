import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {
  fluxKustomizations,
  FluxKustomization,
  KubeObject,
  orderByDependsOn,
  parseObjects,
  substitute,
} from './fluxKustomizations';

/** Renders a kustomize directory (or plain YAML files) with the lab's kustomize, or kubectl's. */
export function kustomizeBuild(dir: string, kustomizeBin?: string): string {
  const hasKustomization = [
    'kustomization.yaml',
    'kustomization.yml',
    'Kustomization',
  ].some(f => fs.existsSync(path.join(dir, f)));
  if (!hasKustomization) {
    // Flux generates a kustomization for plain directories; do the same by concatenating.
    return fs
      .readdirSync(dir)
      .filter(f => /\.ya?ml$/.test(f))
      .sort()
      .map(f => fs.readFileSync(path.join(dir, f), 'utf8'))
      .join('\n---\n');
  }
  const [cmd, args] =
    kustomizeBin && fs.existsSync(kustomizeBin)
      ? [kustomizeBin, ['build', dir]]
      : ['kubectl', ['kustomize', dir]];
  return execFileSync(cmd, args, {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** One layer of the cluster tree: a Flux Kustomization and its rendered objects. */
export interface RenderedKustomization {
  kustomization: FluxKustomization;
  objects: KubeObject[];
}

/**
 * Reads `gitops/clusters/<cluster>` generically: renders the cluster directory, finds its Flux
 * Kustomizations, orders them by `dependsOn` and renders each `spec.path` (relative to the
 * repository root, where the GitRepository points) with postBuild substitution applied: the values
 * of `configMaps` (by name) a Kustomization's `substituteFrom` names, then its own `substitute`.
 */
export function renderClusterTree(
  root: string,
  clusterDir: string,
  kustomizeBin?: string,
  configMaps: Record<string, Record<string, string>> = {},
): { clusterObjects: KubeObject[]; layers: RenderedKustomization[] } {
  const vars = (k: FluxKustomization) =>
    Object.assign(
      {},
      ...k.substituteFrom.map(name => configMaps[name] ?? {}),
      k.substitute,
    );
  const clusterText = kustomizeBuild(clusterDir, kustomizeBin);
  const ordered = orderByDependsOn(
    fluxKustomizations(parseObjects(clusterText)),
  );
  const clusterRel = path.relative(root, clusterDir);
  const isRoot = (k: FluxKustomization) =>
    path.normalize(k.path) === path.normalize(clusterRel);
  // The cluster directory itself is the root Kustomization's: its substitution applies to it.
  const rootK = ordered.find(isRoot);
  const clusterObjects = parseObjects(
    rootK ? substitute(clusterText, vars(rootK)) : clusterText,
  );
  const layers = ordered
    .filter(k => !isRoot(k))
    .map(k => {
      const dir = path.resolve(root, k.path);
      if (!fs.existsSync(dir)) {
        throw new Error(
          `Kustomization ${k.name}: spec.path ${k.path} does not exist`,
        );
      }
      const text = substitute(kustomizeBuild(dir, kustomizeBin), vars(k));
      return { kustomization: k, objects: parseObjects(text) };
    });
  return { clusterObjects, layers };
}
