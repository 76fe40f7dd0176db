import { z } from 'zod';
import { clusterErrorTypeSchema, clusterStateSchema } from './common';

/**
 * zod schema of one cluster's cache status (`GET /clusters`).
 *
 * @public
 */
export const clusterStatusSchema = z.object({
  name: z.string(),
  state: clusterStateSchema,
  /** Last time the cache was complete and live (ISO time). */
  syncedAt: z.string().optional(),
  /** Since when the cache is no longer live (ISO time). */
  staleSince: z.string().optional(),
  lastError: z.string().optional(),
  lastErrorType: clusterErrorTypeSchema.optional(),
  nodes: z.number(),
  pods: z.number(),
});
/**
 * One cluster's cache status.
 *
 * @public
 */
export type ClusterStatus = z.infer<typeof clusterStatusSchema>;

/**
 * zod schema of `GET /clusters`.
 *
 * @public
 */
export const clusterStatusResponseSchema = z.object({
  clusters: z.array(clusterStatusSchema),
});
/**
 * Response of `GET /clusters`.
 *
 * @public
 */
export type ClusterStatusResponse = z.infer<typeof clusterStatusResponseSchema>;
