import type { ProvidersConfig } from '../config/readCloudlabConfig';
import {
  createProviderRegistry,
  ProviderDefinition,
  ProviderDoc,
  providerDocSchema,
  ProviderRegistry,
} from '@cloudlab/plugin-multi-provider-common';
import path from 'node:path';
import { LocalTreeSource } from '../tree/TreeSource';
import { YamlDocumentCache } from '../tree/YamlDocumentCache';

/** Registry files are matched by this: both spellings of the YAML extension. */
const REGISTRY_FILE = /\.ya?ml$/;

/**
 * One provider of the registry with the file and the validated document it came from.
 *
 * @public
 */
export interface ProviderEntry {
  /** The file as the caller named it (registry directory joined with the file name). */
  file: string;
  definition: ProviderDefinition;
  /** The whole validated document, for readers that need more than the definition. */
  document: ProviderDoc;
}

/**
 * Reads the provider registry files of a directory (`*.yaml` and `*.yml`, not recursive,
 * sorted by name) through a document cache. A file that does not parse or validate is
 * reported on the cache with the reason (naming the field) and contributes nothing; a provider
 * defined in two files is reported on the second. Documents of other kinds are ignored.
 *
 * @public
 */
export async function readProviderEntries(
  cache: YamlDocumentCache,
  dir: string,
): Promise<ProviderEntry[]> {
  let listing;
  try {
    listing = await cache.source.list(dir);
  } catch {
    return []; // no registry directory: nothing to read (the strict loader says so)
  }
  const names = listing
    .filter(e => e.kind === 'file' && REGISTRY_FILE.test(e.name))
    .map(e => e.name);
  const entries: ProviderEntry[] = [];
  for (const name of names) {
    const file = path.posix.join(dir, name);
    let fromFile: ProviderEntry[];
    try {
      fromFile = providerEntriesOf(file, await cache.read(file));
    } catch (e) {
      cache.report(file, (e as Error).message);
      continue;
    }
    for (const entry of fromFile) {
      const first = entries.find(
        o => o.definition.name === entry.definition.name,
      );
      if (first) {
        cache.report(
          file,
          `provider ${entry.definition.name} is already defined in ${first.file}`,
        );
      } else {
        entries.push(entry);
      }
    }
  }
  return entries;
}

/** The providers of one file's documents; throws naming the document and the field. */
function providerEntriesOf(file: string, docs: unknown[]): ProviderEntry[] {
  const { providers } = createProviderRegistry(docs);
  const documents = docs
    .filter(d => (d as { kind?: unknown } | null)?.kind === 'Provider')
    .map(d => providerDocSchema.parse(d));
  return providers.map(definition => ({
    file,
    definition,
    document: documents.find(d => d.metadata.name === definition.name)!,
  }));
}

/**
 * Loads the provider registry of a local directory strictly: every file must parse and
 * validate, and the directory must define at least one provider. The error names the file and
 * the field.
 *
 * @public
 */
export async function loadProviderEntries(
  dir: string,
): Promise<ProviderEntry[]> {
  const source = new LocalTreeSource(dir);
  const root = await source.stat('.');
  if (root?.kind !== 'directory') {
    throw new Error(`provider registry ${dir} is not a directory`);
  }
  const cache = new YamlDocumentCache(source);
  cache.begin();
  const entries = await readProviderEntries(cache, '.');
  const errors = cache.fileErrors();
  if (errors.length > 0) {
    throw new Error(
      errors
        .map(e => `provider registry ${path.join(dir, e.file)}: ${e.reason}`)
        .join('; '),
    );
  }
  if (entries.length === 0) {
    throw new Error(
      `provider registry ${dir} defines no provider (expected *.yaml or *.yml files of kind Provider)`,
    );
  }
  return entries.map(e => ({ ...e, file: path.join(dir, e.file) }));
}

/**
 * {@link loadProviderEntries}, as the registry every analysis takes.
 *
 * @public
 */
export async function loadProviderRegistry(
  dir: string,
): Promise<ProviderRegistry> {
  const entries = await loadProviderEntries(dir);
  return { providers: entries.map(e => e.definition) };
}

/**
 * The providers of registry documents given inline (`cloudlab.providers.entries`), validated
 * by the same schema as the registry files. Every document must be a Provider; errors name
 * `<source>[index]` and the field. `file` of each entry is that name.
 *
 * @public
 */
export function providerEntriesFromDocuments(
  docs: unknown[],
  source: string,
): ProviderEntry[] {
  const entries: ProviderEntry[] = [];
  docs.forEach((doc, index) => {
    const where = `${source}[${index}]`;
    const parsed = providerDocSchema.safeParse(doc);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new Error(
        `${where} is invalid at ${issue.path.join('.') || 'the entry'}: ${
          issue.message
        }`,
      );
    }
    const [definition] = createProviderRegistry([parsed.data]).providers;
    const first = entries.find(e => e.definition.name === definition.name);
    if (first) {
      throw new Error(
        `${where}: provider ${definition.name} is already defined in ${first.file}`,
      );
    }
    entries.push({ file: where, definition, document: parsed.data });
  });
  if (entries.length === 0) {
    throw new Error(`${source} defines no provider`);
  }
  return entries;
}

/**
 * The providers configured in `cloudlab.providers`: the directory's files, or the inline entries.
 *
 * @public
 */
export async function loadConfiguredProviderEntries(
  providers: ProvidersConfig,
): Promise<ProviderEntry[]> {
  return providers.type === 'directory'
    ? await loadProviderEntries(providers.directory)
    : providers.entries;
}

/**
 * {@link loadConfiguredProviderEntries}, as the registry every analysis takes.
 *
 * @public
 */
export async function loadConfiguredProviderRegistry(
  providers: ProvidersConfig,
): Promise<ProviderRegistry> {
  const entries = await loadConfiguredProviderEntries(providers);
  return { providers: entries.map(e => e.definition) };
}
