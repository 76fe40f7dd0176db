import { Config } from '@backstage/config';
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
 * Where the GitOps tree is read from. Only a local folder today; a Git host (through the
 * UrlReaderService) and Flux source artifacts become further `type`s, each one key of
 * `cloudlab.gitopsTree`.
 *
 * @public
 */
export type GitopsTreeSourceConfig = {
  type: 'local';
  /** Absolute folder holding the tree. */
  path: string;
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

const treeSchema = z
  .object({
    local: z
      .object({
        path: z
          .string({
            required_error: 'is required',
            invalid_type_error: 'must be a string',
          })
          .min(1, 'must not be empty'),
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

/**
 * Reads `cloudlab.gitopsTree` (see config.d.ts): the tree source is required and must exist,
 * paths inside it must exist. Relative source paths are resolved against `cwd` (the backend's
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
  if (!raw.local) {
    throw new CloudlabConfigError(
      `${base}.local.path`,
      'is required: the folder holding the GitOps tree (the only source type today)',
    );
  }
  const root = path.resolve(cwd, raw.local.path);
  requireDirectory(`${base}.local.path`, root);
  const fluxPath = path.posix.normalize(raw.fluxPath ?? DEFAULT_FLUX_PATH);
  requireDirectory(`${base}.fluxPath`, path.join(root, fluxPath));
  const catalogPath =
    raw.catalogPath === undefined
      ? undefined
      : path.posix.normalize(raw.catalogPath);
  if (catalogPath !== undefined) {
    requireDirectory(`${base}.catalogPath`, path.join(root, catalogPath));
  }
  return {
    source: { type: 'local', path: root },
    fluxPath,
    catalogPath,
    desiredCluster: raw.desiredCluster,
    kustomizeCommand: raw.kustomizeCommand ?? DEFAULT_KUSTOMIZE_COMMAND,
  };
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
