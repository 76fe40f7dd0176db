import { z } from 'zod';
import { resourcesSchema } from '../kube/slim';

/** Cache state of one cluster. */
export const clusterStateSchema = z.enum([
  'syncing',
  'synced',
  'stale',
  'error',
]);
/** Cache state of one cluster: `stale` = was synced, watch currently broken. */
export type ClusterState = z.infer<typeof clusterStateSchema>;

/** Fields every per-cluster answer carries so one broken cluster never hides the others. */
export const clusterAnswerSchema = z.object({
  cluster: z.string(),
  state: clusterStateSchema,
  /** When the data stopped being live (ISO time), for `stale`. */
  staleSince: z.string().optional(),
  /** The last error talking to this cluster, in words. */
  error: z.string().optional(),
});

/** Capacity, allocatable and requested resources plus the pods counted. */
export const usageSchema = z.object({
  capacity: resourcesSchema,
  allocatable: resourcesSchema,
  requested: resourcesSchema,
  podCount: z.number(),
  podCapacity: z.number(),
});
/** Resource usage of a node or of a group of nodes. */
export type Usage = z.infer<typeof usageSchema>;

export { resourcesSchema };
