import { z } from 'zod';
import { clusterAnswerSchema, usageSchema } from './common';

/**
 * zod schema of one node on the platform map.
 *
 * @public
 */
export const platformNodeSchema = usageSchema.extend({
  name: z.string(),
  ready: z.boolean(),
  unschedulable: z.boolean(),
  /** Taints in words (`key=value:Effect`). */
  taints: z.array(z.string()),
  eu: z.boolean().nullable(),
  /** Flagged: the node is in a region the registry marks non-EU. */
  nonEu: z.boolean(),
});
/**
 * One node with capacity, allocatable, requested and pod count.
 *
 * @public
 */
export type PlatformNode = z.infer<typeof platformNodeSchema>;

/**
 * zod schema of a zone on the platform map.
 *
 * @public
 */
export const platformZoneSchema = usageSchema.extend({
  name: z.string(),
  nodes: z.array(platformNodeSchema),
});
/**
 * zod schema of a region on the platform map.
 *
 * @public
 */
export const platformRegionSchema = usageSchema.extend({
  name: z.string(),
  eu: z.boolean().nullable(),
  nonEu: z.boolean(),
  zones: z.array(platformZoneSchema),
});
/**
 * zod schema of a provider on the platform map.
 *
 * @public
 */
export const platformProviderSchema = usageSchema.extend({
  name: z.string(),
  displayName: z.string(),
  known: z.boolean(),
  regions: z.array(platformRegionSchema),
});
/**
 * A provider with its regions, zones and nodes.
 *
 * @public
 */
export type PlatformProvider = z.infer<typeof platformProviderSchema>;

/**
 * zod schema of one cluster on the platform map.
 *
 * @public
 */
export const platformClusterSchema = clusterAnswerSchema.extend({
  providers: z.array(platformProviderSchema),
  /** Names of nodes flagged non-EU. */
  nonEuNodes: z.array(z.string()),
});
/**
 * One cluster on the platform map.
 *
 * @public
 */
export type PlatformCluster = z.infer<typeof platformClusterSchema>;

/**
 * zod schema of `GET /platform/placement`.
 *
 * @public
 */
export const platformPlacementResponseSchema = z.object({
  clusters: z.array(platformClusterSchema),
});
/**
 * Response of `GET /platform/placement`.
 *
 * @public
 */
export type PlatformPlacementResponse = z.infer<
  typeof platformPlacementResponseSchema
>;
