import { z } from 'zod';
import { resourcesSchema } from '../kube/slim';

/**
 * Cache state of one cluster.
 *
 * @public
 */
export const clusterStateSchema = z.enum([
  'syncing',
  'synced',
  'stale',
  'error',
]);
/**
 * Cache state of one cluster: `stale` = was synced, watch currently broken.
 *
 * @public
 */
export type ClusterState = z.infer<typeof clusterStateSchema>;

/**
 * Kind of the last error talking to a cluster: `unreachable` (connection refused, DNS, TLS, reset),
 * `timeout` (no answer in time, or 408), `unauthorized` (401), `forbidden` (403), `rate-limited`
 * (429), `server-error` (5xx, or a watch stream that is not the API's protocol), `gone` (410: relisting), `rejected` (any other 4xx), `unknown`.
 *
 * @public
 */
export const clusterErrorTypeSchema = z.enum([
  'unreachable',
  'timeout',
  'unauthorized',
  'forbidden',
  'rate-limited',
  'server-error',
  'gone',
  'rejected',
  'unknown',
]);
/**
 * Kind of a cluster error.
 *
 * @public
 */
export type ClusterErrorType = z.infer<typeof clusterErrorTypeSchema>;

/**
 * Fields every per-cluster answer carries so one broken cluster never hides the others.
 *
 * @public
 */
export const clusterAnswerSchema = z.object({
  cluster: z.string(),
  state: clusterStateSchema,
  /** When the data stopped being live (ISO time), for `stale`. */
  staleSince: z.string().optional(),
  /** The last error talking to this cluster, in words. */
  error: z.string().optional(),
  /** Its kind, for code: see {@link clusterErrorTypeSchema}. */
  errorType: clusterErrorTypeSchema.optional(),
});

/**
 * Capacity, allocatable and requested resources plus the pods counted.
 *
 * @public
 */
export const usageSchema = z.object({
  capacity: resourcesSchema,
  allocatable: resourcesSchema,
  requested: resourcesSchema,
  podCount: z.number(),
  podCapacity: z.number(),
});
/**
 * Resource usage of a node or of a group of nodes.
 *
 * @public
 */
export type Usage = z.infer<typeof usageSchema>;

export { resourcesSchema };
