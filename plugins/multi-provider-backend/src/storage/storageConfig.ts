import { Config } from '@backstage/config';
import { GitopsTreeConfig } from '@cloudlab/plugin-multi-provider-node';
import { DesiredStorageOptions } from './DesiredStorageService';

/** Seconds a rendering of the desired state is reused when not configured. */
export const DEFAULT_DESIRED_REFRESH_SECONDS = 60;

/**
 * The desired-storage view's options: the tree layout from the suite's shared
 * `cloudlab.gitopsTree`, the reuse time from `multiProvider.storage` (see config.d.ts).
 */
export function readStorageConfig(
  config: Config,
  tree: GitopsTreeConfig,
): DesiredStorageOptions {
  const c = config.getOptionalConfig('multiProvider.storage');
  return {
    fluxPath: tree.fluxPath,
    defaultCluster: tree.desiredCluster,
    kustomize: tree.kustomizeCommand,
    refreshMs:
      (c?.getOptionalNumber('desiredRefreshSeconds') ??
        DEFAULT_DESIRED_REFRESH_SECONDS) * 1000,
  };
}
