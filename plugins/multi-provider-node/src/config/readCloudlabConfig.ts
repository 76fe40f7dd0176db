import { Config, readDurationFromConfig } from '@backstage/config';
import { durationToMilliseconds, HumanDuration } from '@backstage/types';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import {
  ProviderEntry,
  providerEntriesFromDocuments,
} from '../registry/loadProviderRegistry';

/**
 * The shared block of the suite, written once.
 *
 * @public
 */
export const CLOUDLAB_CONFIG_KEY = 'cloudlab';
/**
 * Where the Flux tree (the folder holding `clusters/`) is when `fluxPath` is not set.
 *
 * @public
 */
export const DEFAULT_FLUX_PATH = '.';
/**
 * The render command when none is configured: kubectl embeds the kustomize engine.
 *
 * @public
 */
export const DEFAULT_KUSTOMIZE_COMMAND = ['kubectl', 'kustomize'];

/**
 * Keys that configured this repository's layout before the shared block existed, with the key
 * that replaced each. One present stops the backend: a silent fallback would read a tree the
 * operator did not name.
 *
 * @public
 */
export const REPLACED_CONFIG_KEYS: ReadonlyArray<[old: string, now: string]> = [
  ['catalog.providers.cloudlabFlux.rootDir', 'cloudlab.gitopsTree.local.path'],
  ['catalog.providers.cloudlabFlux.gitopsDir', 'cloudlab.gitopsTree.fluxPath'],
  [
    'catalog.providers.cloudlabFlux.providersDir',
    'cloudlab.providers.directory',
  ],
  [
    'catalog.providers.cloudlabFlux.catalogDir',
    'cloudlab.gitopsTree.catalogPath',
  ],
  ['multiProvider.registryDir', 'cloudlab.providers.directory'],
  ['multiProvider.storage.gitopsDir', 'cloudlab.gitopsTree.fluxPath'],
  [
    'multiProvider.storage.desiredCluster',
    'cloudlab.gitopsTree.desiredCluster',
  ],
  [
    'multiProvider.storage.kustomizeCommand',
    'cloudlab.gitopsTree.kustomizeCommand',
  ],
  ['cloudlab.gitops.repositoryRoot', 'cloudlab.gitopsTree.local.path'],
];

/**
 * How often a `url` tree is read again when `refresh` is not set: a Git host is asked for the
 * branch's commit only, so a few minutes keep the portal close to the branch at little cost.
 *
 * @public
 */
export const DEFAULT_URL_TREE_REFRESH: HumanDuration = { minutes: 3 };
/**
 * The Flux Kustomization whose source is read when `flux.kustomization` is not set: the one
 * `flux bootstrap` creates.
 *
 * @public
 */
export const DEFAULT_FLUX_KUSTOMIZATION = {
  namespace: 'flux-system',
  name: 'flux-system',
};

/**
 * Where the GitOps tree is read from: exactly one key of `cloudlab.gitopsTree`
 * (docs/adr/1104-gitops-tree-sources.md).
 *
 * @public
 */
export type GitopsTreeSourceConfig =
  | {
      /** A folder on disk, for development. */
      type: 'local';
      /** Absolute folder holding the tree. */
      path: string;
    }
  | {
      /** A tree URL of a configured integration, read with `UrlReaderService.readTree`. */
      type: 'url';
      target: string;
      /** Time after which the host is asked again (with the last ETag). */
      refresh: HumanDuration;
    }
  | {
      /** The artifact of the Flux source the named Kustomization applies. */
      type: 'flux';
      kustomization: { namespace: string; name: string };
      /** A cluster of the kubernetes plugin's configuration; absent = the only (first) one. */
      cluster?: string;
      /** Replaces scheme and host of `status.artifact.url` (source-controller's address). */
      artifactBaseUrl?: string;
    };

/**
 * `cloudlab.gitopsTree`, validated, with defaults applied.
 *
 * @public
 */
export interface GitopsTreeConfig {
  source: GitopsTreeSourceConfig;
  /** Tree-relative POSIX path of the Flux repository (the folder holding `clusters/`). */
  fluxPath: string;
  /** Tree-relative POSIX path of hand-written catalog entities, when there are any. */
  catalogPath?: string;
  /** Cluster tree shown by the desired views when a request names none. */
  desiredCluster?: string;
  /** argv of the render command; the directory is appended. */
  kustomizeCommand: string[];
}

/**
 * `cloudlab.providers`: a directory of registry files, or entries loaded from app-config.
 *
 * @public
 */
export type ProvidersConfig =
  | { type: 'directory'; directory: string }
  | { type: 'entries'; entries: ProviderEntry[] };

/**
 * A setting that stops the backend at start; the message starts with the key.
 *
 * @public
 */
export class CloudlabConfigError extends Error {
  constructor(readonly key: string, rule: string) {
    super(`${key}: ${rule}`);
    this.name = 'CloudlabConfigError';
  }
}

const treeRelative = z
  .string({
    required_error: 'is required',
    invalid_type_error: 'must be a string',
  })
  .min(1, 'must not be empty')
  .refine(
    p =>
      !path.posix.isAbsolute(p) &&
      !path.posix.normalize(p).split('/').includes('..'),
    'must be a path inside the tree (relative, without ..)',
  );

const requiredString = z
  .string({
    required_error: 'is required',
    invalid_type_error: 'must be a string',
  })
  .min(1, 'must not be empty');

const absoluteUrl = requiredString.refine(u => {
  try {
    return ['http:', 'https:'].includes(new URL(u).protocol);
  } catch {
    return false;
  }
}, 'must be an absolute http(s) URL');

const treeSchema = z
  .object({
    local: z.object({ path: requiredString }).strict().optional(),
    url: z
      .object({
        target: absoluteUrl,
        // Read by Backstage's duration reader (object or ISO 8601 string), which names the key.
        refresh: z.unknown().optional(),
      })
      .strict()
      .optional(),
    flux: z
      .object({
        kustomization: z
          .object({ namespace: requiredString, name: requiredString })
          .strict()
          .optional(),
        cluster: requiredString.optional(),
        artifactBaseUrl: absoluteUrl.optional(),
      })
      .strict()
      .optional(),
    fluxPath: treeRelative.optional(),
    catalogPath: treeRelative.optional(),
    desiredCluster: z
      .string({ invalid_type_error: 'must be a string' })
      .min(1, 'must not be empty')
      .optional(),
    kustomizeCommand: z
      .array(z.string({ invalid_type_error: 'must be a string' }), {
        invalid_type_error: 'must be a list of strings',
      })
      .min(1, 'must name a command')
      .optional(),
  })
  .strict();

const providersSchema = z
  .object({
    directory: z
      .string({ invalid_type_error: 'must be a string' })
      .min(1, 'must not be empty')
      .optional(),
    entries: z
      .array(z.unknown(), { invalid_type_error: 'must be a list' })
      .optional(),
  })
  .strict();

/** `cloudlab.x.y[2].z`: the key of a zod issue under `base`. */
function keyOf(base: string, issuePath: Array<string | number>): string {
  return issuePath.reduce<string>(
    (key, part) =>
      typeof part === 'number' ? `${key}[${part}]` : `${key}.${part}`,
    base,
  );
}

function parseBlock<T>(schema: z.ZodType<T>, base: string, value: unknown): T {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const key = keyOf(base, issue.path);
  // An unknown key is named by zod in the message, not in the path.
  const rule =
    issue.code === 'unrecognized_keys'
      ? `unknown key ${issue.keys.join(', ')}`
      : issue.message;
  throw new CloudlabConfigError(key, rule);
}

function requireDirectory(key: string, dir: string): void {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(dir);
  } catch {
    throw new CloudlabConfigError(key, `folder ${dir} does not exist`);
  }
  if (!stat.isDirectory()) {
    throw new CloudlabConfigError(key, `${dir} is not a folder`);
  }
}

/**
 * Throws naming the old and the new key when a replaced key is still set.
 *
 * @public
 */
export function assertNoReplacedKeys(config: Config): void {
  for (const [old, now] of REPLACED_CONFIG_KEYS) {
    if (config.has(old)) {
      throw new CloudlabConfigError(
        old,
        `was replaced by ${now}; move it there`,
      );
    }
  }
}

/** The source keys of `cloudlab.gitopsTree`, in the order of preference documented. */
const SOURCE_KEYS = ['flux', 'url', 'local'] as const;

/**
 * Reads `cloudlab.gitopsTree` (see config.d.ts): exactly one source key (`local`, `url`,
 * `flux`). For `local` the folder and the paths inside it must exist now; a `url` or `flux`
 * tree is only known once read, so its paths are checked at the first read
 * ({@link requireTreePaths}). Relative local paths are resolved against `cwd` (the backend's
 * working directory).
 *
 * @public
 */
export function readGitopsTreeConfig(
  config: Config,
  cwd: string = process.cwd(),
): GitopsTreeConfig {
  assertNoReplacedKeys(config);
  const base = `${CLOUDLAB_CONFIG_KEY}.gitopsTree`;
  const raw = parseBlock(treeSchema, base, config.getOptional(base));
  const given = SOURCE_KEYS.filter(k => raw[k] !== undefined);
  if (given.length !== 1) {
    throw new CloudlabConfigError(
      base,
      `set exactly one of local, url, flux (the source of the tree)${
        given.length ? `; found ${given.join(' and ')}` : ''
      }`,
    );
  }
  const fluxPath = path.posix.normalize(raw.fluxPath ?? DEFAULT_FLUX_PATH);
  const catalogPath =
    raw.catalogPath === undefined
      ? undefined
      : path.posix.normalize(raw.catalogPath);
  let source: GitopsTreeSourceConfig;
  if (raw.local) {
    const root = path.resolve(cwd, raw.local.path);
    requireDirectory(`${base}.local.path`, root);
    requireDirectory(`${base}.fluxPath`, path.join(root, fluxPath));
    if (catalogPath !== undefined) {
      requireDirectory(`${base}.catalogPath`, path.join(root, catalogPath));
    }
    source = { type: 'local', path: root };
  } else if (raw.url) {
    source = {
      type: 'url',
      target: raw.url.target,
      refresh:
        raw.url.refresh === undefined
          ? DEFAULT_URL_TREE_REFRESH
          : readDuration(config, `${base}.url.refresh`),
    };
  } else {
    const flux = raw.flux!;
    source = {
      type: 'flux',
      kustomization: flux.kustomization ?? DEFAULT_FLUX_KUSTOMIZATION,
      cluster: flux.cluster,
      artifactBaseUrl: flux.artifactBaseUrl?.replace(/\/+$/, ''),
    };
  }
  return {
    source,
    fluxPath,
    catalogPath,
    desiredCluster: raw.desiredCluster,
    kustomizeCommand: raw.kustomizeCommand ?? DEFAULT_KUSTOMIZE_COMMAND,
  };
}

function readDuration(config: Config, key: string): HumanDuration {
  try {
    // An object naming units, an ISO 8601 string (`PT5M`) or a short form (`5m`).
    return readDurationFromConfig(config, { key });
  } catch (e) {
    throw new CloudlabConfigError(
      key,
      `must be a duration ({ minutes: 5 }, PT5M or 5m): ${
        (e as Error).message
      }`,
    );
  }
}

/**
 * Checks, at the first read of a `url` or `flux` tree, that `fluxPath` and `catalogPath` are
 * folders of it; throws naming the key and the source.
 *
 * @public
 */
export async function requireTreePaths(
  tree: Pick<GitopsTreeConfig, 'fluxPath' | 'catalogPath'>,
  source: {
    description: string;
    stat(rel: string): Promise<{ kind: string } | undefined>;
  },
): Promise<void> {
  const base = `${CLOUDLAB_CONFIG_KEY}.gitopsTree`;
  const paths: Array<[string, string | undefined]> = [
    ['fluxPath', tree.fluxPath],
    ['catalogPath', tree.catalogPath],
  ];
  for (const [key, rel] of paths) {
    if (rel === undefined) continue;
    if ((await source.stat(rel))?.kind !== 'directory') {
      throw new CloudlabConfigError(
        `${base}.${key}`,
        `${rel} is not a folder of ${source.description}`,
      );
    }
  }
}

/**
 * Reads `cloudlab.providers` (see config.d.ts): exactly one of `directory` (must exist; its
 * files are loaded by {@link loadConfiguredProviderEntries}) and `entries` (validated here by
 * the one registry loader, errors naming `cloudlab.providers.entries[i]`).
 *
 * @public
 */
export function readProvidersConfig(
  config: Config,
  cwd: string = process.cwd(),
): ProvidersConfig {
  assertNoReplacedKeys(config);
  const base = `${CLOUDLAB_CONFIG_KEY}.providers`;
  const raw = parseBlock(providersSchema, base, config.getOptional(base));
  if ((raw.directory === undefined) === (raw.entries === undefined)) {
    throw new CloudlabConfigError(base, 'set either directory or entries');
  }
  if (raw.directory !== undefined) {
    const directory = path.resolve(cwd, raw.directory);
    requireDirectory(`${base}.directory`, directory);
    return { type: 'directory', directory };
  }
  return {
    type: 'entries',
    entries: providerEntriesFromDocuments(
      raw.entries!,
      `app-config ${base}.entries`,
    ),
  };
}

/**
 * How old a price table may be before cost figures warn when `maxPriceAge` is not set: list
 * prices change a few times a year at most.
 *
 * @public
 */
export const DEFAULT_MAX_PRICE_AGE: HumanDuration = { days: 180 };

/**
 * `cloudlab.cost`, validated, with defaults applied.
 *
 * @public
 */
export interface CostConfig {
  maxPriceAge: HumanDuration;
  /** {@link CostConfig.maxPriceAge} in milliseconds, as the cost model takes it. */
  maxPriceAgeMs: number;
}

const costSchema = z
  .object({
    // Read by Backstage's duration reader (object or ISO 8601 string), which names the key.
    maxPriceAge: z.unknown().optional(),
  })
  .strict();

/**
 * How long a Flux object must stay failing before its owners are told, when
 * `cloudlab.notifications.flux.debounce` is not set: longer than one retry of a transient error
 * (a source fetch, a webhook timeout), short enough that a broken commit is heard within a minute.
 *
 * @public
 */
export const DEFAULT_FLUX_NOTIFICATION_DEBOUNCE: HumanDuration = {
  seconds: 30,
};

/**
 * `cloudlab.notifications.flux`, validated, with defaults applied.
 *
 * @public
 */
export interface FluxNotificationsConfig {
  /** Whether Flux incidents are sent as Backstage notifications at all. */
  enabled: boolean;
  /**
   * Who is told: the owner of each entity that claims the failing object, or one fixed user or
   * group (a full entity ref, `kind:namespace/name`).
   */
  recipients: { type: 'owner' } | { type: 'entity'; entityRef: string };
  /** Failing for less than this is not an incident. */
  debounce: HumanDuration;
}

const ENTITY_RECIPIENT = /^(group|user):(?:([^/:\s]+)\/)?([^/:\s]+)$/i;

const fluxNotificationsSchema = z
  .object({
    flux: z
      .object({
        enabled: z
          .boolean({ invalid_type_error: 'must be true or false' })
          .optional(),
        recipients: z
          .string({ invalid_type_error: 'must be a string' })
          .refine(
            r => r === 'owner' || ENTITY_RECIPIENT.test(r),
            'must be owner or a group or user entity ref (group:default/platform-team)',
          )
          .optional(),
        // Read by Backstage's duration reader (object or ISO 8601 string), which names the key.
        debounce: z.unknown().optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

/**
 * Reads `cloudlab.cost` (see config.d.ts).
 *
 * @public
 */
export function readCostConfig(config: Config): CostConfig {
  const base = `${CLOUDLAB_CONFIG_KEY}.cost`;
  parseBlock(costSchema, base, config.getOptional(base));
  const key = `${base}.maxPriceAge`;
  const maxPriceAge = config.has(key)
    ? readDuration(config, key)
    : DEFAULT_MAX_PRICE_AGE;
  const maxPriceAgeMs = durationToMilliseconds(maxPriceAge);
  if (!(maxPriceAgeMs > 0)) {
    throw new CloudlabConfigError(key, 'must be longer than zero');
  }
  return { maxPriceAge, maxPriceAgeMs };
}

/**
 * Reads `cloudlab.notifications` (see config.d.ts): whether Flux incidents notify (default
 * yes), whom (`owner`, the default, or one entity ref) and after how long a failure counts.
 *
 * @public
 */
export function readFluxNotificationsConfig(
  config: Config,
): FluxNotificationsConfig {
  const base = `${CLOUDLAB_CONFIG_KEY}.notifications`;
  const raw =
    parseBlock(fluxNotificationsSchema, base, config.getOptional(base)).flux ??
    {};
  const match = raw.recipients ? ENTITY_RECIPIENT.exec(raw.recipients) : null;
  return {
    enabled: raw.enabled ?? true,
    recipients: match
      ? {
          type: 'entity',
          entityRef: `${match[1].toLowerCase()}:${match[2] ?? 'default'}/${
            match[3]
          }`,
        }
      : { type: 'owner' },
    debounce:
      raw.debounce === undefined
        ? DEFAULT_FLUX_NOTIFICATION_DEBOUNCE
        : readDuration(config, `${base}.flux.debounce`),
  };
}
