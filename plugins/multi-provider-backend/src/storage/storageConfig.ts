import { Config } from '@backstage/config';
import fs from 'node:fs';
import path from 'node:path';
import { DesiredStorageOptions } from './DesiredStorageService';

/**
 * The render command when none is configured: the lab's pinned kustomize when it is built
 * (`.cache/lab/bin/kustomize build`), else `kubectl kustomize`.
 */
export function defaultKustomizeCommand(repoRoot: string): string[] {
  const labKustomize = path.join(repoRoot, '.cache/lab/bin/kustomize');
  return fs.existsSync(labKustomize)
    ? [labKustomize, 'build']
    : ['kubectl', 'kustomize'];
}

/** Reads `multiProvider.storage` (see config.d.ts) with its defaults. */
export function readStorageConfig(
  config: Config,
  repoRoot: string,
): DesiredStorageOptions {
  const c = config.getOptionalConfig('multiProvider.storage');
  const kustomize =
    c?.getOptionalStringArray('kustomizeCommand') ??
    defaultKustomizeCommand(repoRoot);
  if (kustomize.length === 0) {
    throw new Error(
      'multiProvider.storage.kustomizeCommand must name a command',
    );
  }
  return {
    repoRoot,
    gitopsDir: c?.getOptionalString('gitopsDir') ?? 'gitops',
    defaultCluster: c?.getOptionalString('desiredCluster') ?? 'lab',
    kustomize,
    refreshMs: (c?.getOptionalNumber('desiredRefreshSeconds') ?? 60) * 1000,
  };
}
