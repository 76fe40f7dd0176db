import { z } from 'zod';

/**
 * The API version of provider registry documents (`providers/*.yaml`).
 *
 * @public
 */
export const PROVIDER_API_VERSION = 'cloudlab.dev/v1alpha1';

/**
 * zod schema of one region of a provider.
 *
 * @public
 */
export const providerRegionSchema = z.object({
  name: z.string().min(1),
  country: z.string().optional(),
  eu: z.boolean(),
  zones: z.array(z.string().min(1)).default([]),
});

/**
 * zod schema of one StorageClass a provider ships.
 *
 * @public
 */
export const providerStorageClassSchema = z.object({
  name: z.string().min(1),
  reclaimPolicy: z.enum(['Delete', 'Retain']).default('Delete'),
  allowVolumeExpansion: z.boolean().default(false),
});

/**
 * zod schema of a provider's block storage facts.
 *
 * @public
 */
export const providerStorageSchema = z.object({
  csiDriver: z.string().min(1),
  topologyKey: z.string().min(1),
  topologyLevel: z.enum(['region', 'zone']),
  minVolumeSize: z.string().optional(),
  wholeGiB: z.boolean().default(false),
  classes: z.array(providerStorageClassSchema).default([]),
});

/**
 * zod schema of one `kind: Provider` registry document.
 *
 * @public
 */
export const providerDocSchema = z.object({
  apiVersion: z.literal(PROVIDER_API_VERSION),
  kind: z.literal('Provider'),
  metadata: z.object({ name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/) }),
  spec: z.object({
    displayName: z.string().optional(),
    detection: z.object({
      labels: z
        .array(
          z.object({ key: z.string().min(1), value: z.string().optional() }),
        )
        .default([]),
      labelPrefixes: z.array(z.string().min(1)).default([]),
      providerIDSchemes: z.array(z.string().min(1)).default([]),
    }),
    regions: z.array(providerRegionSchema).default([]),
    storage: providerStorageSchema.optional(),
    instanceTypes: z
      .array(
        z.object({ name: z.string(), cpu: z.string(), memory: z.string() }),
      )
      .default([]),
  }),
});

/**
 * One validated provider registry document.
 *
 * @public
 */
export type ProviderDoc = z.infer<typeof providerDocSchema>;
/**
 * A region as declared in the registry.
 *
 * @public
 */
export type ProviderRegion = z.infer<typeof providerRegionSchema>;
/**
 * A provider's storage facts as declared in the registry.
 *
 * @public
 */
export type ProviderStorage = z.infer<typeof providerStorageSchema>;
