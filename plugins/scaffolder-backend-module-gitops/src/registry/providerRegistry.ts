import fs from 'node:fs/promises';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { z } from 'zod';

// Mirrors the registry schema of @internal/plugin-multi-provider-common (createProviderRegistry).
// That package was not committed when this module was written; once it is, replace this file's
// schema and parser by an import of `createProviderRegistry` - the exported shape is the same.

const regionSchema = z.object({
  name: z.string().min(1),
  country: z.string().optional(),
  eu: z.boolean(),
  zones: z.array(z.string().min(1)).default([]),
});

const storageSchema = z.object({
  csiDriver: z.string().min(1),
  topologyKey: z.string().min(1),
  topologyLevel: z.enum(['region', 'zone']),
  minVolumeSize: z.string().optional(),
  wholeGiB: z.boolean().default(false),
  classes: z
    .array(
      z.object({
        name: z.string().min(1),
        reclaimPolicy: z.enum(['Delete', 'Retain']).default('Delete'),
        allowVolumeExpansion: z.boolean().default(false),
      }),
    )
    .default([]),
});

const providerDocSchema = z.object({
  apiVersion: z.literal('cloudlab.dev/v1alpha1'),
  kind: z.literal('Provider'),
  metadata: z.object({ name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/) }),
  spec: z
    .object({
      displayName: z.string().optional(),
      regions: z.array(regionSchema).default([]),
      storage: storageSchema.optional(),
    })
    .passthrough(),
});

/** One provider of the registry, as the scaffolder actions use it. */
export interface ProviderDefinition {
  name: string;
  displayName: string;
  regions: z.infer<typeof regionSchema>[];
  storage?: z.infer<typeof storageSchema>;
}

/** The provider registry (`providers/*.yaml`). */
export interface ProviderRegistry {
  providers: ProviderDefinition[];
}

/** Builds the registry from parsed YAML documents; other kinds are ignored. */
export function createProviderRegistry(docs: unknown[]): ProviderRegistry {
  const providers: ProviderDefinition[] = [];
  docs.forEach((doc, index) => {
    if (!doc || (doc as { kind?: unknown }).kind !== 'Provider') return;
    const parsed = providerDocSchema.safeParse(doc);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new Error(
        `Provider document ${index} is invalid at ${issue.path.join('.')}: ${
          issue.message
        }`,
      );
    }
    const { metadata, spec } = parsed.data;
    if (providers.some(p => p.name === metadata.name)) {
      throw new Error(`Provider ${metadata.name} is defined twice`);
    }
    providers.push({
      name: metadata.name,
      displayName: spec.displayName ?? metadata.name,
      regions: spec.regions,
      storage: spec.storage,
    });
  });
  return { providers };
}

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
  return registry.providers.find(p => p.name === name);
}

/** The EU regions of a provider, in registry order. */
export function euRegions(provider: ProviderDefinition): string[] {
  return provider.regions.filter(r => r.eu).map(r => r.name);
}
