import { z } from 'zod';
import { clusterAnswerSchema } from './common';

/**
 * zod schema of a price table read longer ago than `cloudlab.cost.maxPriceAge`.
 *
 * @public
 */
export const stalePriceTableSchema = z.object({
  provider: z.string(),
  readOn: z.string(),
  ageDays: z.number(),
  message: z.string(),
});

/**
 * zod schema of what a set of nodes costs a month: `monthly` sums the priced nodes, `used` is
 * the part their pods' requests take, `idle` the rest; `unknownNodes` have no price and are in
 * none of the three.
 *
 * @public
 */
export const nodeSetCostSchema = z.object({
  nodes: z.number().int(),
  unknownNodes: z.number().int(),
  monthly: z.number(),
  used: z.number(),
  idle: z.number(),
});
/**
 * The monthly cost of a set of nodes, split into used and idle.
 *
 * @public
 */
export type NodeSetCost = z.infer<typeof nodeSetCostSchema>;

/**
 * zod schema of one node's monthly cost.
 *
 * @public
 */
export const nodeCostSchema = nodeSetCostSchema.extend({
  name: z.string(),
  provider: z.string(),
  region: z.string(),
  zone: z.string(),
  serverType: z.string().optional(),
  /** Why the node has no price (set exactly when `unknownNodes` is 1). */
  unknownReason: z.string().optional(),
  pods: z.number().int(),
});
/**
 * One node's monthly cost.
 *
 * @public
 */
export type NodeCost = z.infer<typeof nodeCostSchema>;

/**
 * zod schema of a provider, region or zone's node cost.
 *
 * @public
 */
export const locationCostSchema = nodeSetCostSchema.extend({
  provider: z.string(),
  region: z.string().optional(),
  zone: z.string().optional(),
});
/**
 * A provider, region or zone's monthly node cost.
 *
 * @public
 */
export type LocationCost = z.infer<typeof locationCostSchema>;

/**
 * zod schema of what a set of pods costs a month: their shares of their nodes (`monthly`),
 * plus how many of them run on nodes without a price (`unknownPods`, counted in no figure).
 *
 * @public
 */
export const podSetCostSchema = z.object({
  pods: z.number().int(),
  unknownPods: z.number().int(),
  monthly: z.number(),
  /** `monthly` per provider the pods run on. */
  byProvider: z.record(z.number()),
});
/**
 * The monthly cost of a set of pods.
 *
 * @public
 */
export type PodSetCost = z.infer<typeof podSetCostSchema>;

/**
 * zod schema of one workload's (or service's) monthly cost.
 *
 * @public
 */
export const workloadCostSchema = podSetCostSchema.extend({
  /** `namespace/Kind/name` for a workload, the service id for a service. */
  id: z.string(),
  namespace: z.string(),
  name: z.string(),
});
/**
 * A workload's or service's monthly cost.
 *
 * @public
 */
export type WorkloadCost = z.infer<typeof workloadCostSchema>;

/**
 * zod schema of one storage claim's monthly cost.
 *
 * @public
 */
export const claimCostSchema = z.object({
  namespace: z.string(),
  name: z.string(),
  storageClassName: z.string().nullable(),
  provider: z.string().nullable(),
  /** The size billed: the bound volume's (else the request), raised to the provider's minimum. */
  billedGiB: z.number().nullable(),
  monthly: z.number().nullable(),
  unknownReason: z.string().optional(),
});
/**
 * One storage claim's monthly cost.
 *
 * @public
 */
export type ClaimCost = z.infer<typeof claimCostSchema>;

/**
 * zod schema of one storage class's monthly cost.
 *
 * @public
 */
export const storageClassCostSchema = z.object({
  storageClassName: z.string().nullable(),
  provider: z.string().nullable(),
  claims: z.number().int(),
  unknownClaims: z.number().int(),
  billedGiB: z.number(),
  monthly: z.number(),
});
/**
 * One storage class's monthly cost.
 *
 * @public
 */
export type StorageClassCost = z.infer<typeof storageClassCostSchema>;

/**
 * zod schema of the cost of one cluster: every figure monthly, in `currency`, from the
 * registry's price tables, with the rule that produced it.
 *
 * @public
 */
export const clusterCostSchema = clusterAnswerSchema.extend({
  /** Null when no provider of the registry has a price table. */
  currency: z.string().nullable(),
  rule: z.string(),
  stale: z.array(stalePriceTableSchema),
  total: nodeSetCostSchema,
  nodes: z.array(nodeCostSchema),
  providers: z.array(locationCostSchema),
  regions: z.array(locationCostSchema),
  zones: z.array(locationCostSchema),
  services: z.array(workloadCostSchema),
  claims: z.array(claimCostSchema),
  storageClasses: z.array(storageClassCostSchema),
});
/**
 * The cost of one cluster.
 *
 * @public
 */
export type ClusterCost = z.infer<typeof clusterCostSchema>;

/**
 * zod schema of the platform cost answer.
 *
 * @public
 */
export const platformCostSchema = z.object({
  clusters: z.array(clusterCostSchema),
});
/**
 * The platform cost answer: one cost per configured cluster.
 *
 * @public
 */
export type PlatformCost = z.infer<typeof platformCostSchema>;

/**
 * zod schema of what a workload would cost on one provider (see `cheapestAlternative`).
 *
 * @public
 */
export const providerAlternativeSchema = z.union([
  z.object({
    provider: z.string(),
    fits: z.literal(true),
    serverType: z.string(),
    regions: z.array(z.string()),
    monthly: z.number(),
  }),
  z.object({
    provider: z.string(),
    fits: z.literal(false),
    reason: z.string(),
  }),
]);

/**
 * zod schema of one workload of an entity with its cost and what it would cost on each
 * provider.
 *
 * @public
 */
export const entityWorkloadCostSchema = workloadCostSchema.extend({
  kind: z.string(),
  alternatives: z.array(providerAlternativeSchema),
});
/**
 * One workload of an entity with its cost and its alternatives.
 *
 * @public
 */
export type EntityWorkloadCost = z.infer<typeof entityWorkloadCostSchema>;

/**
 * zod schema of an entity's cost in one cluster.
 *
 * @public
 */
export const entityClusterCostSchema = clusterAnswerSchema.extend({
  total: podSetCostSchema,
  workloads: z.array(entityWorkloadCostSchema),
  claims: z.array(claimCostSchema),
});

/**
 * zod schema of `GET /entity/:namespace/:kind/:name/cost`.
 *
 * @public
 */
export const entityCostResponseSchema = z.object({
  entityRef: z.string(),
  currency: z.string().nullable(),
  rule: z.string(),
  stale: z.array(stalePriceTableSchema),
  clusters: z.array(entityClusterCostSchema),
});
/**
 * An entity's cost: per cluster its workloads, their alternatives and its claims.
 *
 * @public
 */
export type EntityCostResponse = z.infer<typeof entityCostResponseSchema>;
