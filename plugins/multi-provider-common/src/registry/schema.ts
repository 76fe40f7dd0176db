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

const money = z
  .number({ invalid_type_error: 'must be a number' })
  .finite()
  .nonnegative('must not be negative');

const isoDate = z
  .string({ invalid_type_error: 'must be a date written YYYY-MM-DD' })
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date written YYYY-MM-DD')
  .refine(d => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)), 'is not a date');

/**
 * zod schema of where a price table comes from: the public page, the day its figures were
 * read (what staleness is measured from) and how they were taken.
 *
 * @public
 */
export const priceSourceSchema = z.object({
  url: z.string().url('must be an absolute URL'),
  readOn: isoDate,
  note: z.string().optional(),
});

/**
 * zod schema of one server type's list price.
 *
 * @public
 */
export const serverTypePriceSchema = z.object({
  name: z.string().min(1),
  /** vCPUs. */
  cpu: z.number().positive('must be positive'),
  /** Memory as a Kubernetes quantity (`8Gi`). */
  memory: z.string().min(1),
  hourly: money,
  /** What a whole month costs (the provider's monthly cap where it has one). */
  monthly: money,
  /** Regions (registry region names) where the type is sold at this price. */
  regions: z.array(z.string().min(1)).min(1, 'must name at least one region'),
});

/**
 * zod schema of a provider's dated price table (`spec.prices`): list prices as data.
 *
 * @public
 */
export const providerPricesSchema = z.object({
  /** ISO 4217 code of every figure in the table. */
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code (EUR)'),
  /** Whether the figures include VAT. */
  taxIncluded: z.boolean(),
  source: priceSourceSchema,
  serverTypes: z
    .array(serverTypePriceSchema)
    .min(1, 'must list at least one server type'),
  blockStorage: z
    .object({
      perGiBMonth: money,
      /** The smallest volume billed, as a Kubernetes quantity. */
      minSize: z.string().min(1).optional(),
    })
    .optional(),
  traffic: z
    .object({
      /** Outbound traffic included per server and month; absent = not metered. */
      includedTiBPerServer: z.number().nonnegative().optional(),
      perTiBBeyond: money.optional(),
    })
    .optional(),
  loadBalancers: z
    .array(
      z.object({
        name: z.string().min(1),
        hourly: money.optional(),
        monthly: money,
      }),
    )
    .default([]),
  snapshots: z.object({ perGiBMonth: money }).optional(),
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
  spec: z
    .object({
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
      prices: providerPricesSchema.optional(),
    })
    .superRefine((spec, ctx) => {
      // A price for a region the provider does not declare could never be used: a typo.
      const regions = new Set(spec.regions.map(r => r.name));
      const seen = new Set<string>();
      spec.prices?.serverTypes.forEach((type, i) => {
        if (seen.has(type.name)) {
          ctx.addIssue({
            code: z.ZodIssueCode.custom,
            path: ['prices', 'serverTypes', i, 'name'],
            message: `server type ${type.name} is priced twice`,
          });
        }
        seen.add(type.name);
        type.regions.forEach((region, j) => {
          if (!regions.has(region)) {
            ctx.addIssue({
              code: z.ZodIssueCode.custom,
              path: ['prices', 'serverTypes', i, 'regions', j],
              message: `region ${region} is not one of spec.regions`,
            });
          }
        });
      });
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
/**
 * A provider's price table as declared in the registry.
 *
 * @public
 */
export type ProviderPrices = z.infer<typeof providerPricesSchema>;
/**
 * One server type's list price.
 *
 * @public
 */
export type ServerTypePrice = z.infer<typeof serverTypePriceSchema>;
