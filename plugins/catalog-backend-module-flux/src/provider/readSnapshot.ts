import { Entity } from '@backstage/catalog-model';
import {
  createProviderRegistry,
  ProviderRegistry,
} from '@internal/plugin-multi-provider-common';
import { FluxCatalogOptions } from '../config';
import {
  applyOverrides,
  HandWrittenEntity,
  readHandWritten,
} from '../entities/applyOverrides';
import { buildEntities } from '../entities/buildEntities';
import { readFluxTree } from '../tree/readFluxTree';
import { FluxModel } from '../tree/types';
import { FileError, YamlFileCache } from '../tree/YamlFileCache';

/** One read of the repository: what was found, what to emit, and what went wrong. */
export interface CatalogSnapshot {
  model: FluxModel;
  registry: ProviderRegistry;
  handWritten: HandWrittenEntity[];
  /** Entities before the override rule. */
  generated: Entity[];
  /** Entities the provider emits (after the override rule). */
  entities: Entity[];
  replacedBy: Map<string, string>;
  /** Content hash per file read. */
  fingerprint: Map<string, string>;
  errors: FileError[];
}

/**
 * Reads providers, the hand-written catalog and the Flux tree through the cache. A provider file
 * that does not validate is reported and skipped; the others still become entities.
 */
export function readSnapshot(
  cache: YamlFileCache,
  options: FluxCatalogOptions,
): CatalogSnapshot {
  cache.begin();
  const providers = cache.listYaml(options.providersDir).flatMap(file => {
    const docs = cache.read(file);
    try {
      return createProviderRegistry(docs).providers;
    } catch (e) {
      cache.report(file, (e as Error).message);
      return [];
    }
  });
  const registry: ProviderRegistry = { providers };
  const handWritten = readHandWritten(cache, options.catalogDir);
  const model = readFluxTree(cache, options.gitopsDir);
  const generated = buildEntities(model, registry, options);
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
    replacedBy,
    fingerprint: cache.fingerprint(),
    errors: cache.fileErrors(),
  };
}
