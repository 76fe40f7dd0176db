import { Config } from '@backstage/config';
import { defaultKustomizeCommand } from '@cloudlab/plugin-multi-provider-node';
import { DesiredStorageOptions } from './DesiredStorageService';

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
    gitopsDir: c?.getOptionalString('gitopsDir') ?? 'gitops',
    defaultCluster: c?.getOptionalString('desiredCluster') ?? 'lab',
    kustomize,
    refreshMs: (c?.getOptionalNumber('desiredRefreshSeconds') ?? 60) * 1000,
  };
}
