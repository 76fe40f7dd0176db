import {
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
  SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import fs from 'node:fs';
import path from 'node:path';

/** The config path of this module, written once. */
export const FLUX_CATALOG_CONFIG_KEY = 'catalog.providers.cloudlabFlux';
export const DEFAULT_REPO_URL = 'https://github.com/cloudlab-dev/cloudlab';
export const DEFAULT_BRANCH = 'main';
export const DEFAULT_OWNER = 'group:default/platform-team';
export const DEFAULT_PRODUCTION_CLUSTERS = ['cloudlab'];
export const DEFAULT_SCHEDULE: SchedulerServiceTaskScheduleDefinition = {
  frequency: { minutes: 1 },
  timeout: { seconds: 30 },
  initialDelay: { seconds: 5 },
};

/** Where the provider reads from and how it writes links, with defaults applied. */
export interface FluxCatalogOptions {
  /** Absolute repository root. */
  rootDir: string;
  /** Repository-relative directories (POSIX separators). */
  gitopsDir: string;
  providersDir: string;
  catalogDir: string;
  repoUrl: string;
  branch: string;
  grafanaUrl?: string;
  defaultOwner: string;
  productionClusters: string[];
}

/** Finds the repository root (the directory holding `gitops/` and `providers/`) upwards. */
export function findRepositoryRoot(from: string): string | undefined {
  let dir = path.resolve(from);
  for (;;) {
    if (
      fs.existsSync(path.join(dir, 'gitops')) &&
      fs.existsSync(path.join(dir, 'providers'))
    ) {
      return dir;
    }
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** Options with every default applied, for tests and the module alike. */
export function fluxCatalogOptions(
  rootDir: string,
  overrides: Partial<FluxCatalogOptions> = {},
): FluxCatalogOptions {
  return {
    rootDir,
    gitopsDir: 'gitops',
    providersDir: 'providers',
    catalogDir: 'catalog',
    repoUrl: DEFAULT_REPO_URL,
    branch: DEFAULT_BRANCH,
    defaultOwner: DEFAULT_OWNER,
    productionClusters: DEFAULT_PRODUCTION_CLUSTERS,
    ...overrides,
  };
}

/** Reads `catalog.providers.cloudlabFlux` (see config.d.ts). */
export function readFluxCatalogConfig(
  config: Config,
  cwd = process.cwd(),
): {
  options: FluxCatalogOptions;
  schedule: SchedulerServiceTaskScheduleDefinition;
} {
  const c = config.getOptionalConfig(FLUX_CATALOG_CONFIG_KEY);
  const configuredRoot = c?.getOptionalString('rootDir');
  const rootDir = configuredRoot
    ? path.resolve(cwd, configuredRoot)
    : findRepositoryRoot(cwd);
  if (!rootDir) {
    throw new Error(
      `${FLUX_CATALOG_CONFIG_KEY}.rootDir is not set and no ancestor of ${cwd} holds gitops/ and providers/`,
    );
  }
  const opt = (key: string) => c?.getOptionalString(key);
  const options = fluxCatalogOptions(rootDir, {
    ...(opt('gitopsDir') ? { gitopsDir: opt('gitopsDir') } : {}),
    ...(opt('providersDir') ? { providersDir: opt('providersDir') } : {}),
    ...(opt('catalogDir') ? { catalogDir: opt('catalogDir') } : {}),
    ...(opt('repoUrl') ? { repoUrl: opt('repoUrl')!.replace(/\/+$/, '') } : {}),
    ...(opt('branch') ? { branch: opt('branch') } : {}),
    ...(opt('grafanaUrl')
      ? { grafanaUrl: opt('grafanaUrl')!.replace(/\/+$/, '') }
      : {}),
    ...(opt('defaultOwner') ? { defaultOwner: opt('defaultOwner') } : {}),
    ...(c?.has('productionClusters')
      ? { productionClusters: c.getStringArray('productionClusters') }
      : {}),
  });
  const schedule = c?.has('schedule')
    ? readSchedulerServiceTaskScheduleDefinitionFromConfig(
        c.getConfig('schedule'),
      )
    : DEFAULT_SCHEDULE;
  return { options, schedule };
}
