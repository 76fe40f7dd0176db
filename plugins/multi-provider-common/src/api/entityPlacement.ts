import { z } from 'zod';
import { resourcesSchema } from '../kube/slim';
import { clusterAnswerSchema } from './common';

/**
 * zod schema of a pod's intent, summarised in words for display.
 *
 * @public
 */
export const intentSummarySchema = z.object({
  nodeSelector: z.record(z.string()).optional(),
  nodeAffinity: z
    .object({
      /** Required terms in words (ORed). */
      required: z.array(z.string()),
      /** Preferred terms in words with their weights. */
      preferred: z.array(z.object({ weight: z.number(), term: z.string() })),
    })
    .optional(),
  topologySpread: z
    .array(
      z.object({
        topologyKey: z.string(),
        maxSkew: z.number(),
        whenUnsatisfiable: z.string(),
      }),
    )
    .optional(),
  /** Required pod anti-affinity terms in words. */
  podAntiAffinity: z.array(z.string()).optional(),
  /** Tolerations in words, e.g. `dedicated=db:NoSchedule`. */
  tolerations: z.array(z.string()).optional(),
});
/**
 * A pod's intent summarised for display.
 *
 * @public
 */
export type IntentSummary = z.infer<typeof intentSummarySchema>;

/**
 * Outcome of comparing a pod's intent with where it runs.
 *
 * @public
 */
export const intentStatusSchema = z.enum([
  'matches',
  'warning',
  'violated',
  'pending',
]);
/**
 * `matches`; `warning` (soft intent not met); `violated` (hard intent not met); `pending`.
 *
 * @public
 */
export type IntentStatus = z.infer<typeof intentStatusSchema>;

/**
 * zod schema of one pod in a placement answer.
 *
 * @public
 */
export const placementPodSchema = z.object({
  name: z.string(),
  namespace: z.string(),
  owner: z.object({ kind: z.string(), name: z.string() }).optional(),
  phase: z.string(),
  nodeName: z.string().optional(),
  pendingReason: z.string().optional(),
  requests: resourcesSchema.optional(),
  intent: intentSummarySchema,
  intentMatches: z.boolean(),
  intentStatus: intentStatusSchema,
  /** Why the intent does (not) match, in words. */
  reasons: z.array(z.string()),
});
/**
 * One pod with its owner, phase and intent check.
 *
 * @public
 */
export type PlacementPod = z.infer<typeof placementPodSchema>;

/**
 * zod schema of a node with the entity's pods on it.
 *
 * @public
 */
export const placementNodeSchema = z.object({
  name: z.string(),
  ready: z.boolean(),
  pods: z.array(placementPodSchema),
});
/**
 * zod schema of a zone group.
 *
 * @public
 */
export const placementZoneSchema = z.object({
  name: z.string(),
  nodes: z.array(placementNodeSchema),
});
/**
 * zod schema of a region group.
 *
 * @public
 */
export const placementRegionSchema = z.object({
  name: z.string(),
  /** EU region per the registry; null when unknown. */
  eu: z.boolean().nullable(),
  zones: z.array(placementZoneSchema),
});
/**
 * zod schema of a provider group.
 *
 * @public
 */
export const placementProviderSchema = z.object({
  name: z.string(),
  displayName: z.string(),
  /** Whether the provider registry knows this provider. */
  known: z.boolean(),
  regions: z.array(placementRegionSchema),
});
/**
 * Provider → region → zone → node → pods of one entity.
 *
 * @public
 */
export type PlacementProvider = z.infer<typeof placementProviderSchema>;

/**
 * zod schema of one cluster's part of an entity placement answer.
 *
 * @public
 */
export const clusterPlacementSchema = clusterAnswerSchema.extend({
  providers: z.array(placementProviderSchema),
  /** Pods without a node (Pending), with their reasons. */
  unscheduled: z.array(placementPodSchema),
  podCount: z.number(),
  /** Workload-level warnings, e.g. all replicas in one failure domain. */
  warnings: z.array(z.string()),
});
/**
 * One cluster's part of an entity placement answer.
 *
 * @public
 */
export type ClusterPlacement = z.infer<typeof clusterPlacementSchema>;

/**
 * zod schema of `GET /entity/:namespace/:kind/:name/placement`.
 *
 * @public
 */
export const entityPlacementResponseSchema = z.object({
  entityRef: z.string(),
  clusters: z.array(clusterPlacementSchema),
});
/**
 * Response of `GET /entity/:namespace/:kind/:name/placement`.
 *
 * @public
 */
export type EntityPlacementResponse = z.infer<
  typeof entityPlacementResponseSchema
>;

/**
 * zod schema of the entity route's path parameters.
 *
 * @public
 */
export const entityRefParamsSchema = z.object({
  namespace: z.string().min(1),
  kind: z.string().min(1),
  name: z.string().min(1),
});
