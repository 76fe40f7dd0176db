import { z } from 'zod';
import { providerAlternativeSchema } from './cost';

/**
 * Storage sizes templates accept: a positive whole number and an optional Kubernetes suffix.
 * Narrower than a quantity on purpose (no decimals or exponents), so the files the actions write
 * stay readable; what a size means is parsed by `parseQuantity`.
 *
 * @public
 */
export const STORAGE_SIZE_PATTERN =
  /^[1-9][0-9]{0,5}(k|M|G|T|P|Ki|Mi|Gi|Ti|Pi)?$/;

/**
 * zod schema of `POST /cost/estimate`'s body: what a template will create — one instance per
 * provider, each of `replicas` pods and, optionally, one volume of `storageSize`.
 *
 * @public
 */
export const costEstimateRequestSchema = z.object({
  providers: z.array(z.string().min(1).max(30)).min(1).max(20),
  replicas: z.number().int().min(1).max(100).default(1),
  storageSize: z.string().max(20).regex(STORAGE_SIZE_PATTERN).optional(),
});
/**
 * Body of `POST /cost/estimate`.
 *
 * @public
 */
export type CostEstimateRequest = z.input<typeof costEstimateRequestSchema>;

/**
 * zod schema of one provider's instance in an estimate.
 *
 * @public
 */
export const instanceEstimateSchema = z.object({
  provider: z.string(),
  /** The pods' shares on the provider's cheapest fitting server type (the what-if rule). */
  pods: providerAlternativeSchema,
  /** The instance's volume, when the template creates one. */
  volume: z
    .object({
      billedGiB: z.number().nullable(),
      monthly: z.number().nullable(),
      unknownReason: z.string().optional(),
    })
    .optional(),
  /** Pods and volume together; null when a part has no price. */
  monthly: z.number().nullable(),
});
/**
 * One provider's instance in an estimate.
 *
 * @public
 */
export type InstanceEstimate = z.infer<typeof instanceEstimateSchema>;

/**
 * zod schema of `POST /cost/estimate`'s response.
 *
 * @public
 */
export const costEstimateResponseSchema = z.object({
  currency: z.string().nullable(),
  /** The requests each pod gets: what the templates' workload action writes. */
  requests: z.object({ cpu: z.string(), memory: z.string() }),
  rule: z.string(),
  instances: z.array(instanceEstimateSchema),
  /** Every instance together; null when one has no price. */
  monthly: z.number().nullable(),
});
/**
 * Response of `POST /cost/estimate`.
 *
 * @public
 */
export type CostEstimateResponse = z.infer<typeof costEstimateResponseSchema>;
