import { Entity } from '@backstage/catalog-model';
import { ProviderRegistry } from '@cloudlab/plugin-multi-provider-common';
import {
  FileError,
  FluxModel,
  readFluxTree,
  readProviderEntries,
  YamlDocumentCache,
} from '@cloudlab/plugin-multi-provider-node';
import { FluxCatalogOptions } from '../config';
import {
  applyOverrides,
  HandWrittenEntity,
  readHandWritten,
} from '../entities/applyOverrides';
import { buildEntities } from '../entities/buildEntities';

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
export async function readSnapshot(
  cache: YamlDocumentCache,
  options: FluxCatalogOptions,
): Promise<CatalogSnapshot> {
  cache.begin();
  const entries = await readProviderEntries(cache, options.providersDir);
  const registry: ProviderRegistry = {
    providers: entries.map(e => e.definition),
  };
  const handWritten = await readHandWritten(cache, options.catalogDir);
  const model = await readFluxTree(cache, options.gitopsDir);
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
