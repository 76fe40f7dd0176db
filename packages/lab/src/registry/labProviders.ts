import fs from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import {
  createProviderRegistry,
  findProvider as findInRegistry,
  providerDocSchema,
  ProviderDefinition,
  ProviderStorage,
} from '@internal/plugin-multi-provider-common';

/**
 * A provider as the lab simulates it: the registry's definition (parsed by THE registry parser,
 * `createProviderRegistry` of @internal/plugin-multi-provider-common) plus what the lab cannot do
 * without: block storage facts (simulated volumes) and instance types (simulated nodes).
 */
export interface Provider extends ProviderDefinition {
  storage: Omit<ProviderStorage, 'minVolumeSize'> & { minVolumeSize: string };
  instanceTypes: Array<{ name: string; cpu: string; memory: string }>;
}

/** The label every Cloudlab node carries to name its provider (DESIGN.md, provider taxonomy). */
export const PROVIDER_LABEL = 'cfke.io/provider';

function labProvider(
  def: ProviderDefinition,
  doc: unknown,
  file: string,
): Provider {
  const missing = (field: string) =>
    new Error(
      `${file}: provider ${def.name}: ${field} is required by the lab (it simulates the provider's nodes and volumes)`,
    );
  const { instanceTypes } = providerDocSchema.parse(doc).spec;
  if (!def.storage) throw missing('spec.storage');
  const { minVolumeSize } = def.storage;
  if (!minVolumeSize) throw missing('spec.storage.minVolumeSize');
  if (def.regions.length === 0) throw missing('spec.regions');
  if (instanceTypes.length === 0) throw missing('spec.instanceTypes');
  return { ...def, storage: { ...def.storage, minVolumeSize }, instanceTypes };
}

/** Parses provider files; errors name the file and the field. */
export function parseProviders(
  files: Array<{ name: string; content: string }>,
): Provider[] {
  const providers: Provider[] = [];
  for (const file of files) {
    const docs = parseAllDocuments(file.content).map(d => {
      if (d.errors.length > 0)
        throw new Error(`${file.name}: ${d.errors[0].message}`);
      return d.toJS() as unknown;
    });
    let defs: ProviderDefinition[];
    try {
      defs = createProviderRegistry(docs).providers;
    } catch (e) {
      throw new Error(`${file.name}: ${(e as Error).message}`);
    }
    for (const def of defs) {
      if (providers.some(p => p.name === def.name))
        throw new Error(`${file.name}: provider ${def.name} is defined twice`);
      const doc = docs.find(
        d =>
          (d as { metadata?: { name?: string } } | null)?.metadata?.name ===
          def.name,
      );
      providers.push(labProvider(def, doc, file.name));
    }
  }
  return providers;
}

/** Reads every `*.yaml` in the registry directory. */
export function loadProviders(dir: string): Provider[] {
  return parseProviders(
    fs
      .readdirSync(dir)
      .filter(f => f.endsWith('.yaml') || f.endsWith('.yml'))
      .sort()
      .map(f => ({
        name: path.join(dir, f),
        content: fs.readFileSync(path.join(dir, f), 'utf8'),
      })),
  );
}

/** Looks a provider up by name. */
export function findProvider(
  providers: Provider[],
  name: string,
): Provider | undefined {
  return findInRegistry({ providers }, name) as Provider | undefined;
}
