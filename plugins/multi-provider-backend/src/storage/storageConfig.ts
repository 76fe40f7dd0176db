import { Config } from '@backstage/config';
import fs from 'node:fs';
import path from 'node:path';
import { DesiredStorageOptions } from './DesiredStorageService';

/** Reads `multiProvider.storage` (see config.d.ts) with its defaults. */
export function readStorageConfig(
  config: Config,
  repoRoot: string,
): DesiredStorageOptions {
  const c = config.getOptionalConfig('multiProvider.storage');
  const labKustomize = path.join(repoRoot, '.cache/lab/bin/kustomize');
  const kustomize =
    c?.getOptionalStringArray('kustomizeCommand') ??
    (fs.existsSync(labKustomize)
      ? [labKustomize, 'build']
      : ['kubectl', 'kustomize']);
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
