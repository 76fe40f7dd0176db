import { z } from 'zod';
import { clusterAnswerSchema } from './common';

/**
 * zod schema of a failure domain: a provider, region or zone by name.
 *
 * @public
 */
export const failureDomainSchema = z.object({
  level: z.enum(['provider', 'region', 'zone']),
  name: z.string().min(1),
});
/**
 * A failure domain.
 *
 * @public
 */
export type FailureDomain = z.infer<typeof failureDomainSchema>;

/**
 * zod schema of `POST /platform/failure-domain`'s body.
 *
 * @public
 */
export const failureDomainRequestSchema = failureDomainSchema.extend({
  /** Only this cluster; all clusters when absent. */
  cluster: z.string().min(1).optional(),
});
/**
 * Body of `POST /platform/failure-domain`.
 *
 * @public
 */
export type FailureDomainRequest = z.infer<typeof failureDomainRequestSchema>;

/**
 * A service's fate when the domain is lost.
 *
 * @public
 */
export const verdictSchema = z.enum(['survives', 'degraded', 'down']);
/**
 * `survives` (all replicas kept or re-placed), `degraded` (fewer), `down` (none).
 *
 * @public
 */
export type Verdict = z.infer<typeof verdictSchema>;

/**
 * zod schema of one service's verdict.
 *
 * @public
 */
export const serviceVerdictSchema = z.object({
  /** Stable id: `namespace/name`. */
  id: z.string(),
  namespace: z.string(),
  name: z.string(),
  workloads: z.array(z.object({ kind: z.string(), name: z.string() })),
  /** Deployed once per provider (the Pi-hole pattern) and counted as one redundant service. */
  redundantPerProvider: z.boolean(),
  /** Whether any replica runs in the domain. */
  affected: z.boolean(),
  verdict: verdictSchema,
  replicasBefore: z.number(),
  replicasAfter: z.number(),
  /** Replicas in the domain. */
  lost: z.number(),
  /** Lost replicas the simulation could place on surviving nodes. */
  replaced: z.number(),
  reasons: z.array(z.string()),
});
/**
 * One service's verdict with replicas before/after and reasons.
 *
 * @public
 */
export type ServiceVerdict = z.infer<typeof serviceVerdictSchema>;

/**
 * zod schema of one cluster's failure-domain answer.
 *
 * @public
 */
export const clusterFailureDomainSchema = clusterAnswerSchema.extend({
  /** Nodes in the domain. */
  lostNodes: z.array(z.string()),
  services: z.array(serviceVerdictSchema),
  summary: z.object({
    survives: z.number(),
    degraded: z.number(),
    down: z.number(),
  }),
});
/**
 * One cluster's failure-domain answer.
 *
 * @public
 */
export type ClusterFailureDomain = z.infer<typeof clusterFailureDomainSchema>;

/**
 * zod schema of `POST /platform/failure-domain`'s response.
 *
 * @public
 */
export const failureDomainResponseSchema = z.object({
  domain: failureDomainSchema,
  clusters: z.array(clusterFailureDomainSchema),
});
/**
 * Response of `POST /platform/failure-domain`.
 *
 * @public
 */
export type FailureDomainResponse = z.infer<typeof failureDomainResponseSchema>;
