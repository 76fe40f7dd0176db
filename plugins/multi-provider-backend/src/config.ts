import { Config } from '@backstage/config';
import fs from 'fs';
import path from 'path';

/** Page size of paginated list calls. */
export const DEFAULT_PAGE_SIZE = 500;
/** Registry directory relative to the repository root. */
export const DEFAULT_REGISTRY_DIR = 'providers';

/** One cluster, in the shape the Backstage kubernetes plugin configures it. */
export interface ClusterConfig {
  name: string;
  url: string;
  serviceAccountToken?: string;
  caData?: string;
  skipTLSVerify: boolean;
}

/** The plugin's configuration, read once. */
export interface MultiProviderConfig {
  clusters: ClusterConfig[];
  kubeconfig?: { path: string; clusterName?: string };
  registryDir: string;
  pageSize: number;
}

/** Walks up from `start` to the directory whose `package.json` declares workspaces. */
export function findRepoRoot(start: string): string {
  let dir = start;
  for (;;) {
    const file = path.join(dir, 'package.json');
    if (
      fs.existsSync(file) &&
      JSON.parse(fs.readFileSync(file, 'utf8')).workspaces
    ) {
      return dir;
    }
    const parent = path.dirname(dir);
    if (parent === dir) return start;
    dir = parent;
  }
}

/**
 * Reads `kubernetes.clusterLocatorMethods[type=config].clusters` (so one configuration serves
 * both this plugin and the kubernetes plugin) and the `multiProvider` block.
 */
export function readMultiProviderConfig(
  config: Config,
  repoRoot: string = findRepoRoot(process.cwd()),
): MultiProviderConfig {
  const clusters: ClusterConfig[] = [];
  for (const method of config.getOptionalConfigArray(
    'kubernetes.clusterLocatorMethods',
  ) ?? []) {
    if (method.getString('type') !== 'config') continue;
    for (const c of method.getOptionalConfigArray('clusters') ?? []) {
      clusters.push({
        name: c.getString('name'),
        url: c.getString('url'),
        serviceAccountToken: c.getOptionalString('serviceAccountToken'),
        caData: c.getOptionalString('caData'),
        skipTLSVerify: c.getOptionalBoolean('skipTLSVerify') ?? false,
      });
    }
  }
  const mp = config.getOptionalConfig('multiProvider');
  const kubeconfigPath = mp?.getOptionalString('kubeconfig');
  const registryDir =
    mp?.getOptionalString('registryDir') ?? DEFAULT_REGISTRY_DIR;
  return {
    clusters,
    kubeconfig: kubeconfigPath
      ? {
          path: path.resolve(repoRoot, kubeconfigPath),
          clusterName: mp?.getOptionalString('kubeconfigClusterName'),
        }
      : undefined,
    registryDir: path.resolve(repoRoot, registryDir),
    pageSize: mp?.getOptionalNumber('pageSize') ?? DEFAULT_PAGE_SIZE,
  };
}
