import { Entity } from '@backstage/catalog-model';
import { ProviderRegistry } from '@cloudlab/plugin-multi-provider-common';
import {
  FileError,
  FluxModel,
  LocalTreeSource,
  ProviderEntry,
  readFluxTree,
  readProviderEntries,
  TreeSnapshot,
  TreeSnapshots,
  TreeSource,
  YamlDocumentCache,
} from '@cloudlab/plugin-multi-provider-node';
import path from 'node:path';
import { FluxCatalogOptions } from '../config';
import {
  applyOverrides,
  HandWrittenEntity,
  readHandWritten,
} from '../entities/applyOverrides';
import {
  buildEntities,
  EntityOrigins,
  locateHandWritten,
} from '../entities/buildEntities';

/** One read of the repository: what was found, what to emit, and what went wrong. */
export interface CatalogSnapshot {
  model: FluxModel;
  registry: ProviderRegistry;
  handWritten: HandWrittenEntity[];
  /** Entities before the override rule. */
  generated: Entity[];
  /** Generated entities left after the override rule. */
  entities: Entity[];
  /**
   * What the provider emits: {@link CatalogSnapshot.entities} and the hand-written entities it
   * read from the tree, each named by the source and revision it was read at.
   */
  emitted: Entity[];
  replacedBy: Map<string, string>;
  /** Content hash per file read. */
  fingerprint: Map<string, string>;
  errors: FileError[];
}

/**
 * The document caches a provider keeps between refreshes: the GitOps tree's, and the registry
 * directory's when the registry is a directory (inline entries were validated at start).
 */
export interface SnapshotCaches {
  tree: YamlDocumentCache;
  registry?: YamlDocumentCache;
}

/** Fresh caches over one snapshot of the tree and the configured registry directory. */
export function snapshotCaches(
  options: FluxCatalogOptions,
  tree: TreeSource,
): SnapshotCaches {
  return {
    tree: new YamlDocumentCache(tree),
    registry:
      options.providers.type === 'directory'
        ? new YamlDocumentCache(
            new LocalTreeSource(options.providers.directory),
          )
        : undefined,
  };
}

/**
 * The caches for a new snapshot of the tree: the tree's cache of the previous snapshot hands
 * over to it (everything but the files the snapshot says changed, or every parse whose file's
 * content is unchanged when it does not say), and the registry directory's is kept.
 */
export function nextSnapshotCaches(
  previous: SnapshotCaches,
  snapshot: TreeSnapshot,
): SnapshotCaches {
  const changes =
    snapshot.changes?.since === previous.tree.source
      ? snapshot.changes.paths
      : undefined;
  return {
    tree: previous.tree.next(snapshot.source, changes),
    registry: previous.registry,
  };
}

/**
 * A registry file's name as the tree names its files: tree-relative when the registry
 * directory is inside the tree (so links point into the repository), else absolute.
 */
function registryFileName(
  options: FluxCatalogOptions,
  tree: TreeSource,
  file: string,
): string {
  if (options.providers.type !== 'directory') return file;
  const abs = path.join(options.providers.directory, file);
  if (tree.localRoot === undefined) return abs;
  const rel = path.relative(tree.localRoot, abs);
  return rel.startsWith('..') || path.isAbsolute(rel)
    ? abs
    : rel.split(path.sep).join('/');
}

async function readRegistry(
  caches: SnapshotCaches,
  options: FluxCatalogOptions,
): Promise<ProviderEntry[]> {
  if (options.providers.type === 'entries') return options.providers.entries;
  caches.registry!.begin();
  const entries = await readProviderEntries(caches.registry!, '.');
  return entries.map(e => ({
    ...e,
    file: registryFileName(options, caches.tree.source, e.file),
  }));
}

/**
 * Reads providers, the hand-written catalog and the Flux tree through the caches. A provider
 * file that does not validate is reported and skipped; the others still become entities.
 *
 * With `tree` (the provider's snapshots the caches read), the Flux tree is followed into the
 * provider's other sources, and every entity names the source and revision it was read at:
 * the other source for what a Kustomization read there yields, the root tree for the rest.
 * The hand-written entities read from the tree are emitted too (`Location`s aside), named the
 * same way: the catalog then shows the hand-written catalog at the revision Flux applies, not a
 * copy on the portal's disk.
 */
export async function readSnapshot(
  caches: SnapshotCaches,
  options: FluxCatalogOptions,
  tree?: TreeSnapshots,
): Promise<CatalogSnapshot> {
  const cache = caches.tree;
  cache.begin();
  const entries = await readRegistry(caches, options);
  const registry: ProviderRegistry = {
    providers: entries.map(e => e.definition),
  };
  const handWritten = options.catalogPath
    ? await readHandWritten(cache, options.catalogPath)
    : [];
  const model = await readFluxTree(cache, options.fluxPath, {
    resolveSource: tree?.resolveSource,
  });
  // Only a registry file inside the tree has a place in the repository to link to.
  const providerFiles = new Map(
    options.providers.type === 'directory'
      ? entries
          .filter(e => !path.isAbsolute(e.file))
          .map(e => [e.definition.name, e.file] as const)
      : [],
  );
  const origins: EntityOrigins | undefined = tree && {
    root: tree.root.origin,
    fileOf: (k, file) => {
      const f = tree.fileOrigin(k, file);
      return {
        origin: f.snapshot.origin,
        path: f.path,
        ...(f.generator ? { generator: f.generator } : {}),
      };
    },
  };
  const generated = buildEntities(
    model,
    registry,
    options,
    providerFiles,
    origins,
  );
  const located = locateHandWritten(handWritten, options, origins);
  const { entities, replacedBy } = applyOverrides(
    generated,
    handWritten.map(h => h.entity),
  );
  return {
    model,
    registry,
    handWritten,
    generated,
    entities,
    emitted: [...entities, ...located],
    replacedBy,
    fingerprint: new Map([
      ...cache.fingerprint(),
      ...[...(caches.registry?.fingerprint() ?? [])].map(
        ([file, hash]) =>
          [registryFileName(options, cache.source, file), hash] as const,
      ),
    ]),
    errors: [
      ...cache.fileErrors(),
      ...(caches.registry?.fileErrors() ?? []).map(e => ({
        ...e,
        file: registryFileName(options, cache.source, e.file),
      })),
    ],
  };
}
