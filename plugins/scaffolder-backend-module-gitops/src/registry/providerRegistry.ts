import fs from 'node:fs/promises';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import {
  createProviderRegistry,
  findProvider as findCommon,
  ProviderDefinition,
  ProviderRegistry,
} from '@internal/plugin-multi-provider-common';

// The registry schema and parser are THE one definition in @internal/plugin-multi-provider-common;
// this file only adds the I/O of reading `providers/` from a workspace.
export type {
  ProviderDefinition,
  ProviderRegistry,
} from '@internal/plugin-multi-provider-common';
export { createProviderRegistry };

/** Reads every `*.yaml` of a registry directory (e.g. `<workspace>/providers`). */
export async function loadProviderRegistry(
  dir: string,
): Promise<ProviderRegistry> {
  const names = (await fs.readdir(dir)).filter(n => n.endsWith('.yaml')).sort();
  const docs: unknown[] = [];
  for (const name of names) {
    const stat = await fs.lstat(path.join(dir, name));
    if (!stat.isFile()) continue; // never follow a symlink out of the workspace
    const text = await fs.readFile(path.join(dir, name), 'utf8');
    for (const doc of parseAllDocuments(text)) {
      if (doc.errors.length > 0) {
        throw new Error(`providers/${name}: ${doc.errors[0].message}`);
      }
      docs.push(doc.toJS());
    }
  }
  return createProviderRegistry(docs);
}

/** The provider of that name, if the registry knows it. */
export function findProvider(
  registry: ProviderRegistry,
  name: string,
): ProviderDefinition | undefined {
  return findCommon(registry, name);
}

/** The EU regions of a provider, in registry order. */
export function euRegions(provider: ProviderDefinition): string[] {
  return provider.regions.filter(r => r.eu).map(r => r.name);
}
