import { Config } from '@backstage/config';
import {
  ProvidersConfig,
  readProvidersConfig,
} from '@cloudlab/plugin-multi-provider-node';
import path from 'path';
import { z } from 'zod';

/** Page size of paginated list calls. */
export const DEFAULT_PAGE_SIZE = 500;

const ms = (what: string, min: number, max: number) =>
  z
    .number({ invalid_type_error: `${what} must be a number of milliseconds` })
    .int(`${what} must be a whole number of milliseconds`)
    .min(min, `${what} must be at least ${min} ms`)
    .max(max, `${what} must be at most ${max} ms`);

/**
 * `multiProvider.cache`: the timing of every list + watch informer (see ResourceInformer).
 * Validated when the backend starts; a bad value stops it with the field and the rule.
 */
export const cacheTimingSchema = z
  .object({
    requestTimeoutMs: ms('multiProvider.cache.requestTimeoutMs', 100, 600_000),
    backoffMs: ms('multiProvider.cache.backoffMs', 10, 600_000),
    maxBackoffMs: ms('multiProvider.cache.maxBackoffMs', 10, 3_600_000),
    recheckMs: ms('multiProvider.cache.recheckMs', 100, 3_600_000),
    idleDeadlineMs: ms('multiProvider.cache.idleDeadlineMs', 2000, 600_000),
    maxRetries: z
      .number({
        invalid_type_error: 'multiProvider.cache.maxRetries must be a number',
      })
      .int('multiProvider.cache.maxRetries must be a whole number')
      .min(0, 'multiProvider.cache.maxRetries must be at least 0')
      .max(1000, 'multiProvider.cache.maxRetries must be at most 1000'),
  })
  .partial()
  .strict()
  .refine(
    c =>
      c.backoffMs === undefined ||
      c.maxBackoffMs === undefined ||
      c.backoffMs <= c.maxBackoffMs,
    'multiProvider.cache.backoffMs must not exceed maxBackoffMs',
  );
/** Informer timing overrides from configuration. */
export type CacheTiming = z.infer<typeof cacheTimingSchema>;

const pageSizeSchema = z
  .number({ invalid_type_error: 'multiProvider.pageSize must be a number' })
  .int('multiProvider.pageSize must be a whole number')
  .min(1, 'multiProvider.pageSize must be at least 1')
  .max(10_000, 'multiProvider.pageSize must be at most 10000');

/** Default window of the live signals (docs/adr/0503-live-pages.md). */
export const DEFAULT_LIVE_DEBOUNCE_MS = 500;

/**
 * `multiProvider.live`: the signals that tell open pages their answer changed. `enabled: false`
 * publishes none (pages then load once, as before); `debounceMs` is the window after a change in
 * which further changes are published with it.
 */
export const liveSettingsSchema = z
  .object({
    enabled: z.boolean({
      invalid_type_error: 'multiProvider.live.enabled must be true or false',
    }),
    debounceMs: ms('multiProvider.live.debounceMs', 50, 60_000),
  })
  .partial()
  .strict();

function parseOrThrow<T>(
  schema: z.ZodType<T>,
  value: unknown,
  prefix = 'multiProvider.cache',
): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = ` (${[prefix, ...issue.path].join('.')})`;
  throw new Error(`invalid configuration: ${issue.message}${where}`);
}

/**
 * One cluster, in the shape the Backstage kubernetes plugin configures it.
 *
 * @alpha
 */
export interface ClusterConfig {
  name: string;
  url: string;
  serviceAccountToken?: string;
  caData?: string;
  /** A PEM file holding the CA (in a pod: the ServiceAccount's mounted `ca.crt`). */
  caFile?: string;
  skipTLSVerify: boolean;
}

/** The plugin's configuration, read once. */
export interface MultiProviderConfig {
  clusters: ClusterConfig[];
  kubeconfig?: { path: string; clusterName?: string };
  /** The provider registry (`cloudlab.providers`, the suite's shared block). */
  providers: ProvidersConfig;
  pageSize: number;
  /** Informer timing overrides (`multiProvider.cache`); defaults in DEFAULT_INFORMER_OPTIONS. */
  cache: CacheTiming;
  /** Live signals (`multiProvider.live`). */
  live: { enabled: boolean; debounceMs: number };
}

/**
 * Reads `kubernetes.clusterLocatorMethods[type=config].clusters` (so one configuration serves
 * both this plugin and the kubernetes plugin), the `multiProvider` block and the shared
 * `cloudlab.providers`. Relative paths are resolved against `cwd`, the backend's working
 * directory.
 */
export function readMultiProviderConfig(
  config: Config,
  cwd: string = process.cwd(),
): MultiProviderConfig {
  const clusters: ClusterConfig[] = [];
  for (const method of config.getOptionalConfigArray(
    'kubernetes.clusterLocatorMethods',
  ) ?? []) {
    if (method.getString('type') !== 'config') continue;
    for (const c of method.getOptionalConfigArray('clusters') ?? []) {
      const name = c.getString('name');
      const caData = c.getOptionalString('caData');
      const caFile = c.getOptionalString('caFile');
      // Two sources of trust would leave which one verifies the server to the client library.
      if (caData && caFile) {
        throw new Error(
          `invalid configuration: cluster ${name} sets both caData and caFile (kubernetes.clusterLocatorMethods[].clusters[]); keep one`,
        );
      }
      clusters.push({
        name,
        url: c.getString('url'),
        serviceAccountToken: c.getOptionalString('serviceAccountToken'),
        caData,
        ...(caFile ? { caFile: path.resolve(cwd, caFile) } : {}),
        skipTLSVerify: c.getOptionalBoolean('skipTLSVerify') ?? false,
      });
    }
  }
  const mp = config.getOptionalConfig('multiProvider');
  const kubeconfigPath = mp?.getOptionalString('kubeconfig');
  return {
    clusters,
    kubeconfig: kubeconfigPath
      ? {
          path: path.resolve(cwd, kubeconfigPath),
          clusterName: mp?.getOptionalString('kubeconfigClusterName'),
        }
      : undefined,
    providers: readProvidersConfig(config, cwd),
    pageSize: parseOrThrow(
      pageSizeSchema,
      mp?.getOptional('pageSize') ?? DEFAULT_PAGE_SIZE,
      'multiProvider.pageSize',
    ),
    cache: parseOrThrow(cacheTimingSchema, mp?.getOptional('cache') ?? {}),
    live: {
      enabled: true,
      debounceMs: DEFAULT_LIVE_DEBOUNCE_MS,
      ...parseOrThrow(
        liveSettingsSchema,
        mp?.getOptional('live') ?? {},
        'multiProvider.live',
      ),
    },
  };
}
