import fs from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { z } from 'zod';

const regionSchema = z.object({
  name: z.string(),
  country: z.string(),
  eu: z.boolean(),
  zones: z.array(z.string()).min(1),
});

const instanceTypeSchema = z.object({
  name: z.string(),
  cpu: z.string(),
  memory: z.string(),
});

/** One `providers/<name>.yaml` document (cloudlab.dev/v1alpha1 Provider). */
export const providerSchema = z.object({
  apiVersion: z.literal('cloudlab.dev/v1alpha1'),
  kind: z.literal('Provider'),
  metadata: z.object({ name: z.string() }),
  spec: z.object({
    displayName: z.string(),
    detection: z.object({
      labels: z.array(
        z.object({ key: z.string(), value: z.string().optional() }),
      ),
      labelPrefixes: z.array(z.string()).default([]),
      providerIDSchemes: z.array(z.string()).default([]),
    }),
    regions: z.array(regionSchema).min(1),
    storage: z.object({
      csiDriver: z.string(),
      topologyKey: z.string(),
      topologyLevel: z.enum(['region', 'zone']),
      minVolumeSize: z.string(),
      wholeGiB: z.boolean().default(false),
      classes: z.array(
        z.object({
          name: z.string(),
          reclaimPolicy: z.enum(['Delete', 'Retain']),
          allowVolumeExpansion: z.boolean().default(false),
        }),
      ),
    }),
    instanceTypes: z.array(instanceTypeSchema).min(1),
  }),
});

/** A provider as the registry defines it. */
export type Provider = z.infer<typeof providerSchema>;

/** The label every Cloudlab node carries to name its provider (DESIGN.md, provider taxonomy). */
export const PROVIDER_LABEL = 'cfke.io/provider';

/** Parses provider documents; throws with the file name and zod's path on the first bad one. */
export function parseProviders(
  files: Array<{ name: string; content: string }>,
): Provider[] {
  const providers: Provider[] = [];
  for (const file of files) {
    for (const doc of parseAllDocuments(file.content)) {
      const value = doc.toJS();
      if (value === null || value === undefined) continue;
      const parsed = providerSchema.safeParse(value);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new Error(
          `${file.name}: invalid provider at ${issue.path.join('.')}: ${
            issue.message
          }`,
        );
      }
      providers.push(parsed.data);
    }
  }
  const names = new Set<string>();
  for (const p of providers) {
    if (names.has(p.metadata.name)) {
      throw new Error(`provider ${p.metadata.name} is defined twice`);
    }
    names.add(p.metadata.name);
  }
  return providers;
}

/** Reads every `*.yaml` in the registry directory. */
export function loadProviders(dir: string): Provider[] {
  const files = fs
    .readdirSync(dir)
    .filter(f => f.endsWith('.yaml') || f.endsWith('.yml'))
    .sort()
    .map(f => ({
      name: path.join(dir, f),
      content: fs.readFileSync(path.join(dir, f), 'utf8'),
    }));
  return parseProviders(files);
}

/** Looks a provider up by name. */
export function findProvider(
  providers: Provider[],
  name: string,
): Provider | undefined {
  return providers.find(p => p.metadata.name === name);
}
