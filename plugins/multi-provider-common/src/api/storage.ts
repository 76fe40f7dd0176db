import { z } from 'zod';
import { storageFindingSchema } from '../storage/findings';
import { clusterAnswerSchema } from './common';

/**
 * zod schema of a pod mounting a claim, with where it runs.
 *
 * @public
 */
export const claimPodSchema = z.object({
  name: z.string(),
  phase: z.string(),
  nodeName: z.string().optional(),
  /** Provider of the pod's node (registry name). */
  provider: z.string().optional(),
  zone: z.string().optional(),
  pendingReason: z.string().optional(),
});

/**
 * zod schema of one claim row.
 *
 * @public
 */
export const claimSchema = z.object({
  namespace: z.string(),
  name: z.string(),
  phase: z.string(),
  /** `null`: the claim names no class. */
  storageClassName: z.string().nullable(),
  /** Provider of the volume (from the PV's CSI driver, else the class provisioner). */
  provider: z.string().optional(),
  providerDisplayName: z.string().optional(),
  /** The volume's CSI topology (a Hetzner location or a Scaleway zone). */
  topologyKey: z.string().optional(),
  /** The location/zone value(s) the volume is pinned to. */
  zone: z.string().optional(),
  requested: z.string().optional(),
  requestedBytes: z.number(),
  capacity: z.string().optional(),
  accessModes: z.array(z.string()),
  bindingMode: z.string().optional(),
  reclaimPolicy: z.string().optional(),
  volumeName: z.string().optional(),
  csiDriver: z.string().optional(),
  pods: z.array(claimPodSchema),
  findings: z.array(storageFindingSchema),
});
/**
 * One claim: class, provider and zone of its volume, size, modes, phase, pods.
 *
 * @public
 */
export type StorageClaim = z.infer<typeof claimSchema>;

/**
 * zod schema of one cluster's part of an entity storage answer.
 *
 * @public
 */
export const clusterStorageSchema = clusterAnswerSchema.extend({
  claims: z.array(claimSchema),
  /** Findings about the entity's pods and claims (includes those listed per claim). */
  findings: z.array(storageFindingSchema),
});
/**
 * One cluster's part of an entity storage answer.
 *
 * @public
 */
export type ClusterStorage = z.infer<typeof clusterStorageSchema>;

/**
 * zod schema of `GET /entity/:namespace/:kind/:name/storage`.
 *
 * @public
 */
export const entityStorageResponseSchema = z.object({
  entityRef: z.string(),
  clusters: z.array(clusterStorageSchema),
});
/**
 * Response of `GET /entity/:namespace/:kind/:name/storage`.
 *
 * @public
 */
export type EntityStorageResponse = z.infer<typeof entityStorageResponseSchema>;

/**
 * zod schema of a CSI driver on the platform page.
 *
 * @public
 */
export const csiDriverRowSchema = z.object({
  name: z.string(),
  /** Provider per the registry; absent for a driver the registry does not know. */
  provider: z.string().optional(),
  providerDisplayName: z.string().optional(),
  /** Whether a CSIDriver object exists (a registry driver may be missing from the cluster). */
  installed: z.boolean(),
  attachRequired: z.boolean().optional(),
  /** Nodes whose CSINode lists the driver: its node plugin runs there. */
  nodes: z.array(z.string()),
  /** Nodes of the driver's provider (per the registry) where the node plugin is not registered. */
  missingOn: z.array(z.string()),
});
/**
 * A CSI driver, its provider and the nodes running its node plugin.
 *
 * @public
 */
export type CsiDriverRow = z.infer<typeof csiDriverRowSchema>;

/**
 * zod schema of a StorageClass on the platform page.
 *
 * @public
 */
export const storageClassRowSchema = z.object({
  name: z.string(),
  provider: z.string().optional(),
  providerDisplayName: z.string().optional(),
  provisioner: z.string(),
  reclaimPolicy: z.string(),
  bindingMode: z.string(),
  allowVolumeExpansion: z.boolean(),
  /** Allowed topologies in words (`key in (a, b)`). */
  topology: z.array(z.string()),
  isDefault: z.boolean(),
  /** Claims naming the class, requested bytes, volumes and their capacity. */
  claims: z.number(),
  requestedBytes: z.number(),
  volumes: z.number(),
  boundVolumes: z.number(),
  availableVolumes: z.number(),
  releasedVolumes: z.number(),
  capacityBytes: z.number(),
});
/**
 * A StorageClass with its provider, policies and capacity.
 *
 * @public
 */
export type StorageClassRow = z.infer<typeof storageClassRowSchema>;

/**
 * zod schema of one provider → zone cell of the volume map.
 *
 * @public
 */
export const storageZoneSchema = z.object({
  provider: z.string(),
  providerDisplayName: z.string(),
  /** Topology value (Hetzner location, Scaleway zone); `(none)` for volumes without topology. */
  zone: z.string(),
  claims: z.number(),
  volumes: z.number(),
  boundVolumes: z.number(),
  capacityBytes: z.number(),
  boundBytes: z.number(),
});
/**
 * Claims and volumes of one provider zone.
 *
 * @public
 */
export type StorageZone = z.infer<typeof storageZoneSchema>;

/**
 * zod schema of one cluster's part of the platform storage answer.
 *
 * @public
 */
export const platformStorageClusterSchema = clusterAnswerSchema.extend({
  csiDrivers: z.array(csiDriverRowSchema),
  storageClasses: z.array(storageClassRowSchema),
  zones: z.array(storageZoneSchema),
  totals: z.object({
    claims: z.number(),
    pendingClaims: z.number(),
    volumes: z.number(),
  }),
  /** Findings, most severe first, at most `findingsLimit`. */
  findings: z.array(storageFindingSchema),
  findingsTotal: z.number(),
  /** Count per finding id over all findings (also those left out). */
  findingCounts: z.record(z.number()),
});
/**
 * One cluster's storage: drivers, classes, zones, findings.
 *
 * @public
 */
export type PlatformStorageCluster = z.infer<
  typeof platformStorageClusterSchema
>;

/**
 * zod schema of `GET /platform/storage`.
 *
 * @public
 */
export const platformStorageResponseSchema = z.object({
  clusters: z.array(platformStorageClusterSchema),
});
/**
 * Response of `GET /platform/storage`.
 *
 * @public
 */
export type PlatformStorageResponse = z.infer<
  typeof platformStorageResponseSchema
>;

/**
 * zod schema of one claim a Flux Kustomization will create.
 *
 * @public
 */
export const desiredClaimSchema = z.object({
  namespace: z.string(),
  name: z.string(),
  storageClassName: z.string().nullable(),
  provider: z.string().optional(),
  requested: z.string().optional(),
  accessModes: z.array(z.string()),
  /** Workloads (Deployment/StatefulSet) mounting it, with the provider they are pinned to. */
  workloads: z.array(
    z.object({
      kind: z.string(),
      name: z.string(),
      pinnedProvider: z.string().optional(),
    }),
  ),
});
/**
 * A claim from the rendered desired state.
 *
 * @public
 */
export type DesiredClaim = z.infer<typeof desiredClaimSchema>;

/**
 * zod schema of one Flux Kustomization's rendered storage.
 *
 * @public
 */
export const desiredKustomizationSchema = z.object({
  name: z.string(),
  namespace: z.string(),
  path: z.string(),
  file: z.string(),
  claims: z.array(desiredClaimSchema),
  /** StorageClasses the Kustomization itself creates. */
  storageClasses: z.array(z.string()),
  findings: z.array(storageFindingSchema),
  /** Rendering failed: kustomize's message. */
  error: z.string().optional(),
});
/**
 * One Flux Kustomization's claims and findings.
 *
 * @public
 */
export type DesiredKustomization = z.infer<typeof desiredKustomizationSchema>;

/**
 * zod schema of `GET /platform/storage/desired`.
 *
 * @public
 */
export const desiredStorageResponseSchema = z.object({
  /** The cluster tree (directory under `gitops/clusters/`). */
  cluster: z.string(),
  clusters: z.array(z.string()),
  renderedAt: z.string(),
  kustomizations: z.array(desiredKustomizationSchema),
  /** Findings across the tree (classes from every Kustomization, e.g. default classes). */
  findings: z.array(storageFindingSchema),
});
/**
 * Response of `GET /platform/storage/desired`.
 *
 * @public
 */
export type DesiredStorageResponse = z.infer<
  typeof desiredStorageResponseSchema
>;

/**
 * zod schema of the desired-state route's query.
 *
 * @public
 */
export const desiredStorageQuerySchema = z.object({
  cluster: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]*$/, 'must be a cluster directory name')
    .optional(),
});
