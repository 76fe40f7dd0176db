import { z } from 'zod';
import { clusterErrorTypeSchema, clusterStateSchema } from './common';

/** zod schema of one cluster's cache status (`GET /clusters`). */
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
/** One cluster's cache status. */
export type ClusterStatus = z.infer<typeof clusterStatusSchema>;

/** zod schema of `GET /clusters`. */
export const clusterStatusResponseSchema = z.object({
  clusters: z.array(clusterStatusSchema),
});
/** Response of `GET /clusters`. */
export type ClusterStatusResponse = z.infer<typeof clusterStatusResponseSchema>;
