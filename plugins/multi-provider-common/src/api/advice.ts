import { z } from 'zod';
import { clusterAnswerSchema } from './common';
import {
  failureDomainRequestSchema,
  failureDomainSchema,
  verdictSchema,
} from './failureDomain';

/**
 * The kinds of change the advice weighs: `spread` lifts the workload's pin to the lost
 * provider, region or zone and spreads its replicas over providers with a topology spread
 * constraint; `extra-replica` adds an instance pinned to another provider; `second-instance`
 * adds, for a stateful workload, an instance on another provider with its own volume on that
 * provider's CSI.
 *
 * @public
 */
export const adviceKindSchema = z.enum([
  'spread',
  'extra-replica',
  'second-instance',
]);
/**
 * A kind of change the advice weighs.
 *
 * @public
 */
export type AdviceKind = z.infer<typeof adviceKindSchema>;

/**
 * zod schema of one candidate change and what the same failure-domain analysis says the
 * service's verdict would be with it.
 *
 * @public
 */
export const adviceChangeSchema = z.object({
  kind: adviceKindSchema,
  /** The change in words. */
  summary: z.string(),
  namespace: z.string(),
  /** The workload changed or copied. */
  workload: z.object({ kind: z.string(), name: z.string() }),
  /**
   * The provider the workload's replicas run on, to which the change pins them (extra-replica,
   * second-instance: the template writes one instance per provider).
   */
  homeProvider: z.string().optional(),
  /** The provider the added instance is pinned to (extra-replica, second-instance). */
  provider: z.string().optional(),
  /** The node the model places the added replica on (extra-replica, second-instance). */
  node: z.string().optional(),
  /** The added volume (second-instance). */
  storageClass: z.string().optional(),
  size: z.string().optional(),
  /**
   * What the service costs a month more with the change (pod shares by the cost rule plus added
   * volumes); null when a figure it needs has no price.
   */
  monthlyDelta: z.number().nullable(),
  /** Why `monthlyDelta` is null. */
  unknownReason: z.string().optional(),
  /** The service's verdict with the change, by the same analysis. */
  verdict: verdictSchema,
  replicasBefore: z.number(),
  replicasAfter: z.number(),
  reasons: z.array(z.string()),
  /** The software template that writes this change, prefilled; absent when none does. */
  template: z
    .object({
      name: z.string(),
      /** The template's parameters, as the scaffolder's `formData` query parameter takes them. */
      formData: z.record(
        z.union([z.string(), z.number(), z.array(z.string())]),
      ),
    })
    .optional(),
});
/**
 * One candidate change with its cost delta and verdict.
 *
 * @public
 */
export type AdviceChange = z.infer<typeof adviceChangeSchema>;

/**
 * zod schema of the advice for one service whose verdict is not `survives`.
 *
 * @public
 */
export const serviceAdviceSchema = z.object({
  id: z.string(),
  namespace: z.string(),
  name: z.string(),
  verdict: verdictSchema,
  /** The cheapest change that makes it survive; else the cheapest with the best verdict. */
  advice: adviceChangeSchema.nullable(),
  /** Whether `advice` makes the service survive. */
  survives: z.boolean(),
  /** Every change weighed, cheapest first within each verdict, best verdict first. */
  candidates: z.array(adviceChangeSchema),
  /** Why no change was found, or why none reaches `survives`. */
  note: z.string().optional(),
});
/**
 * The advice for one service.
 *
 * @public
 */
export type ServiceAdvice = z.infer<typeof serviceAdviceSchema>;

/**
 * zod schema of one cluster's advice.
 *
 * @public
 */
export const clusterAdviceSchema = clusterAnswerSchema.extend({
  /** Currency of every `monthlyDelta`; null when no provider has a price table. */
  currency: z.string().nullable(),
  /** The rule the cost figures follow. */
  rule: z.string(),
  services: z.array(serviceAdviceSchema),
});
/**
 * One cluster's advice.
 *
 * @public
 */
export type ClusterAdvice = z.infer<typeof clusterAdviceSchema>;

/**
 * zod schema of `POST /platform/failure-domain/advice`'s body: the failure-domain request and,
 * optionally, the services (`namespace/name`) to advise on.
 *
 * @public
 */
export const failureDomainAdviceRequestSchema =
  failureDomainRequestSchema.extend({
    services: z.array(z.string().min(1)).max(200).optional(),
  });
/**
 * Body of `POST /platform/failure-domain/advice`.
 *
 * @public
 */
export type FailureDomainAdviceRequest = z.infer<
  typeof failureDomainAdviceRequestSchema
>;

/**
 * zod schema of `POST /platform/failure-domain/advice`'s response.
 *
 * @public
 */
export const failureDomainAdviceResponseSchema = z.object({
  domain: failureDomainSchema,
  clusters: z.array(clusterAdviceSchema),
});
/**
 * Response of `POST /platform/failure-domain/advice`.
 *
 * @public
 */
export type FailureDomainAdviceResponse = z.infer<
  typeof failureDomainAdviceResponseSchema
>;
