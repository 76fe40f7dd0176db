import {
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
  SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import {
  ProvidersConfig,
  readGitopsTreeConfig,
  readProvidersConfig,
} from '@cloudlab/plugin-multi-provider-node';

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

/**
 * What the provider reads inside the tree: the suite's shared layout (`cloudlab.gitopsTree`,
 * `cloudlab.providers`, read by `-node`'s one reader). Where the tree itself comes from is the
 * GitOps tree provider's business (`gitopsTreeServiceRef`).
 */
export interface FluxCatalogLayout {
  /** Tree-relative Flux repository (the folder holding `clusters/`). */
  fluxPath: string;
  /** Tree-relative hand-written catalog; without it no hand-written entity overrides. */
  catalogPath?: string;
  providers: ProvidersConfig;
}

/** Where the provider reads from and how it writes links, with defaults applied. */
export interface FluxCatalogOptions extends FluxCatalogLayout {
  repoUrl: string;
  branch: string;
  grafanaUrl?: string;
  defaultOwner: string;
  productionClusters: string[];
}

/** Options with every default of this module applied, for tests and the module alike. */
export function fluxCatalogOptions(
  layout: FluxCatalogLayout,
  overrides: Partial<FluxCatalogOptions> = {},
): FluxCatalogOptions {
  return {
    ...layout,
    repoUrl: DEFAULT_REPO_URL,
    branch: DEFAULT_BRANCH,
    defaultOwner: DEFAULT_OWNER,
    productionClusters: DEFAULT_PRODUCTION_CLUSTERS,
    ...overrides,
  };
}

/**
 * Reads the shared layout (required; a missing or invalid setting throws naming the key) and
 * `catalog.providers.cloudlabFlux` (links, owner, schedule; see config.d.ts).
 */
export function readFluxCatalogConfig(
  config: Config,
  cwd = process.cwd(),
): {
  options: FluxCatalogOptions;
  schedule: SchedulerServiceTaskScheduleDefinition;
} {
  const tree = readGitopsTreeConfig(config, cwd);
  const layout: FluxCatalogLayout = {
    fluxPath: tree.fluxPath,
    catalogPath: tree.catalogPath,
    providers: readProvidersConfig(config, cwd),
  };
  const c = config.getOptionalConfig(FLUX_CATALOG_CONFIG_KEY);
  const opt = (key: string) => c?.getOptionalString(key);
  const options = fluxCatalogOptions(layout, {
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
