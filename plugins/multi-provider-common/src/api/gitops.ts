import { z } from 'zod';
import { clusterAnswerSchema } from './common';

/**
 * The Flux kinds the GitOps views watch.
 *
 * @public
 */
export const fluxKindSchema = z.enum([
  'Kustomization',
  'HelmRelease',
  'GitRepository',
  'HelmRepository',
  'OCIRepository',
]);
/**
 * A Flux kind the GitOps views watch.
 *
 * @public
 */
export type FluxKind = z.infer<typeof fluxKindSchema>;

/**
 * The VSO kinds the Secrets view watches.
 *
 * @public
 */
export const vsoKindSchema = z.enum([
  'VaultAuth',
  'VaultAuthGlobal',
  'VaultConnection',
  'VaultStaticSecret',
  'VaultDynamicSecret',
]);
/**
 * A VSO kind the Secrets view watches.
 *
 * @public
 */
export type VsoKind = z.infer<typeof vsoKindSchema>;

/**
 * zod schema of a status condition (no other status field is copied verbatim).
 *
 * @public
 */
export const conditionSchema = z.object({
  type: z.string(),
  status: z.string(),
  reason: z.string().optional(),
  message: z.string().optional(),
  lastTransitionTime: z.string().optional(),
});
/**
 * A status condition.
 *
 * @public
 */
export type Condition = z.infer<typeof conditionSchema>;

/**
 * zod schema of a `namespace/name` reference.
 *
 * @public
 */
export const namespacedNameSchema = z.object({
  namespace: z.string(),
  name: z.string(),
});

/**
 * zod schema of one object a Kustomization applied (`status.inventory.entries`).
 *
 * @public
 */
export const inventoryEntrySchema = z.object({
  /** Empty for cluster-scoped objects. */
  namespace: z.string(),
  name: z.string(),
  /** API group; empty for the core group. */
  group: z.string(),
  kind: z.string(),
  version: z.string(),
});
/**
 * One object a Kustomization applied.
 *
 * @public
 */
export type InventoryEntry = z.infer<typeof inventoryEntrySchema>;

/**
 * zod schema of the trimmed Flux object the cache stores: identity, suspend flag, conditions,
 * revisions, dependencies, source, inventory and a few spec fields for display.
 *
 * @public
 */
export const slimFluxObjectSchema = z.object({
  kind: fluxKindSchema,
  namespace: z.string(),
  name: z.string(),
  generation: z.number().optional(),
  observedGeneration: z.number().optional(),
  suspended: z.boolean(),
  conditions: z.array(conditionSchema),
  lastAppliedRevision: z.string().optional(),
  lastAttemptedRevision: z.string().optional(),
  /** `spec.dependsOn`, namespace defaulted to the object's. */
  dependsOn: z.array(namespacedNameSchema),
  sourceRef: z
    .object({ kind: z.string(), namespace: z.string(), name: z.string() })
    .optional(),
  /** Kustomizations only. */
  inventory: z.array(inventoryEntrySchema).optional(),
  interval: z.string().optional(),
  /** Kustomization `spec.path`. */
  path: z.string().optional(),
  /** Source URL (Git, Helm or OCI repository). */
  url: z.string().optional(),
  /** HelmRelease chart and version. */
  chart: z.string().optional(),
  /** `reconcile.fluxcd.io/requestedAt` as last requested. */
  requestedAt: z.string().optional(),
  /** `status.lastHandledReconcileAt`: the last request the controller acted on. */
  lastHandledReconcileAt: z.string().optional(),
});
/**
 * The trimmed Flux object the cache stores.
 *
 * @public
 */
export type SlimFluxObject = z.infer<typeof slimFluxObjectSchema>;

/**
 * An object's state from its conditions: `ready`, `reconciling` (in progress, or status not yet
 * observed for the current generation), `waiting` (a dependency is not ready), `failed`
 * (Ready=False), `stalled` (Stalled=True: will not recover without a change), `suspended`,
 * `unknown` (no status yet), `missing` (claimed by the entity, absent from the cluster).
 *
 * @public
 */
export const fluxStateSchema = z.enum([
  'ready',
  'reconciling',
  'waiting',
  'failed',
  'stalled',
  'suspended',
  'unknown',
  'missing',
]);
/**
 * One object's state.
 *
 * @public
 */
export type FluxState = z.infer<typeof fluxStateSchema>;

/**
 * zod schema of a Flux object reference across clusters.
 *
 * @public
 */
export const fluxObjectRefSchema = z.object({
  cluster: z.string(),
  kind: fluxKindSchema,
  namespace: z.string(),
  name: z.string(),
});
/**
 * A Flux object reference across clusters.
 *
 * @public
 */
export type FluxObjectRef = z.infer<typeof fluxObjectRefSchema>;

/**
 * zod schema of a workload's placement as the cache sees it (link target for the inventory).
 *
 * @public
 */
export const inventoryPlacementSchema = z.object({
  pods: z.number(),
  nodes: z.array(z.string()),
});

/**
 * zod schema of a Flux object in an answer: the slim object with its state and reason.
 *
 * @public
 */
export const fluxObjectSchema = slimFluxObjectSchema.extend({
  cluster: z.string(),
  state: fluxStateSchema,
  /** The reason and message of the condition that decided the state. */
  reason: z.string().optional(),
  message: z.string().optional(),
  inventory: z
    .array(
      inventoryEntrySchema.extend({
        /** For Deployments, StatefulSets and DaemonSets: where their pods run. */
        placement: inventoryPlacementSchema.optional(),
      }),
    )
    .optional(),
});
/**
 * A Flux object in an answer.
 *
 * @public
 */
export type FluxObject = z.infer<typeof fluxObjectSchema>;

/**
 * The verdict over an entity's (or one object's) Flux objects and their chain.
 *
 * @public
 */
export const rollupVerdictSchema = z.enum([
  'healthy',
  'progressing',
  'suspended',
  'degraded',
  'failing',
  'unknown',
]);
/**
 * A roll-up verdict.
 *
 * @public
 */
export type RollupVerdict = z.infer<typeof rollupVerdictSchema>;

/**
 * zod schema of a roll-up: the verdict, in words, and the object and Flux reason behind it.
 *
 * @public
 */
export const rollupSchema = z.object({
  verdict: rollupVerdictSchema,
  summary: z.string(),
  object: fluxObjectRefSchema.optional(),
  reason: z.string().optional(),
  message: z.string().optional(),
});
/**
 * A roll-up.
 *
 * @public
 */
export type Rollup = z.infer<typeof rollupSchema>;

/**
 * zod schema of one `dependsOn` (or source) link with the state of its target.
 *
 * @public
 */
export const dependencyLinkSchema = z.object({
  from: fluxObjectRefSchema,
  to: fluxObjectRefSchema,
  /** `dependsOn`, `source` (sourceRef) or `appliedBy` (the Kustomization applying it). */
  relation: z.enum(['dependsOn', 'source', 'appliedBy']),
  state: fluxStateSchema,
  reason: z.string().optional(),
  message: z.string().optional(),
});
/**
 * One link of the dependency chain.
 *
 * @public
 */
export type DependencyLink = z.infer<typeof dependencyLinkSchema>;

/**
 * zod schema of a watched resource the cluster cannot serve (CRD absent, forbidden…).
 *
 * @public
 */
export const unavailableResourceSchema = z.object({
  resource: z.string(),
  error: z.string(),
});

/**
 * zod schema of one cluster's part of an entity GitOps answer.
 *
 * @public
 */
export const clusterGitOpsSchema = clusterAnswerSchema.extend({
  /** The entity's own objects (claimed), `missing` when claimed but absent. */
  objects: z.array(fluxObjectSchema),
  /** Sources, appliers and `dependsOn` targets reached from them, transitively. */
  related: z.array(fluxObjectSchema),
  links: z.array(dependencyLinkSchema),
  unavailable: z.array(unavailableResourceSchema),
});
/**
 * One cluster's part of an entity GitOps answer.
 *
 * @public
 */
export type ClusterGitOps = z.infer<typeof clusterGitOpsSchema>;

/**
 * zod schema of `GET /entity/:namespace/:kind/:name/gitops`.
 *
 * @public
 */
export const entityGitOpsResponseSchema = z.object({
  entityRef: z.string(),
  rollup: rollupSchema,
  clusters: z.array(clusterGitOpsSchema),
});
/**
 * Response of `GET /entity/:namespace/:kind/:name/gitops`.
 *
 * @public
 */
export type EntityGitOpsResponse = z.infer<typeof entityGitOpsResponseSchema>;

/**
 * zod schema of the platform list's query (`?state=failed,stalled&cluster=lab`).
 *
 * @public
 */
export const platformGitOpsQuerySchema = z.object({
  state: z
    .string()
    .optional()
    .transform(s => (s ? s.split(',').filter(Boolean) : []))
    .pipe(z.array(rollupVerdictSchema)),
  cluster: z.string().min(1).optional(),
});
/**
 * The platform list's query.
 *
 * @public
 */
export type PlatformGitOpsQuery = z.input<typeof platformGitOpsQuerySchema>;

/**
 * zod schema of one row of the platform list: an object with its own roll-up.
 *
 * @public
 */
export const platformFluxObjectSchema = fluxObjectSchema
  .omit({ inventory: true })
  .extend({ rollup: rollupSchema, inventoryCount: z.number().optional() });
/**
 * One row of the platform list.
 *
 * @public
 */
export type PlatformFluxObject = z.infer<typeof platformFluxObjectSchema>;

/**
 * zod schema of one cluster's part of the platform list.
 *
 * @public
 */
export const clusterFluxListSchema = clusterAnswerSchema.extend({
  objects: z.array(platformFluxObjectSchema),
  /** Objects per verdict before filtering. */
  counts: z.record(rollupVerdictSchema, z.number()),
  unavailable: z.array(unavailableResourceSchema),
});
/**
 * One cluster's part of the platform list.
 *
 * @public
 */
export type ClusterFluxList = z.infer<typeof clusterFluxListSchema>;

/**
 * zod schema of `GET /platform/gitops`.
 *
 * @public
 */
export const platformGitOpsResponseSchema = z.object({
  clusters: z.array(clusterFluxListSchema),
});
/**
 * Response of `GET /platform/gitops`.
 *
 * @public
 */
export type PlatformGitOpsResponse = z.infer<
  typeof platformGitOpsResponseSchema
>;

/**
 * zod schema of the trimmed VSO object the cache stores: never a secret value, nor its HMAC.
 *
 * @public
 */
export const slimVsoObjectSchema = z.object({
  kind: vsoKindSchema,
  namespace: z.string(),
  name: z.string(),
  generation: z.number().optional(),
  conditions: z.array(conditionSchema),
  /** VaultAuth: `status.valid` / `status.error`. */
  valid: z.boolean().optional(),
  error: z.string().optional(),
  /** VaultAuth: method, role, ServiceAccount, audiences, global and connection references. */
  method: z.string().optional(),
  role: z.string().optional(),
  serviceAccount: z.string().optional(),
  audiences: z.array(z.string()).optional(),
  vaultAuthGlobalRef: namespacedNameSchema.optional(),
  vaultConnectionRef: z.string().optional(),
  /** VaultAuthGlobal: namespaces allowed to reference it. */
  allowedNamespaces: z.array(z.string()).optional(),
  /** VaultConnection: the Vault address. */
  address: z.string().optional(),
  /** Secrets: the VaultAuth used, what is read and where it goes. */
  vaultAuthRef: z.string().optional(),
  mount: z.string().optional(),
  path: z.string().optional(),
  type: z.string().optional(),
  refreshAfter: z.string().optional(),
  destination: z.object({ name: z.string(), create: z.boolean() }).optional(),
  rolloutRestartTargets: z
    .array(z.object({ kind: z.string(), name: z.string() }))
    .optional(),
  /** VaultDynamicSecret: last renewal (ISO time) and lease duration (seconds). */
  lastRenewalTime: z.string().optional(),
  leaseDurationSeconds: z.number().optional(),
});
/**
 * The trimmed VSO object the cache stores.
 *
 * @public
 */
export type SlimVsoObject = z.infer<typeof slimVsoObjectSchema>;

/**
 * Secret-sync state: secrets `synced`, `failing` or `pending` (no status yet); auths and
 * connections `valid` or `invalid`; `unreported` when VSO keeps no status for the kind
 * (VaultAuthGlobal in VSO v1.x).
 *
 * @public
 */
export const syncStateSchema = z.enum([
  'synced',
  'failing',
  'pending',
  'valid',
  'invalid',
  'unreported',
]);
/**
 * A VSO object's sync state.
 *
 * @public
 */
export type SyncState = z.infer<typeof syncStateSchema>;

/**
 * zod schema of a VSO object in an answer.
 *
 * @public
 */
export const vsoObjectSchema = slimVsoObjectSchema.extend({
  cluster: z.string(),
  state: syncStateSchema,
  reason: z.string().optional(),
  message: z.string().optional(),
  /** Secrets: when VSO last reported the destination Secret synced (SecretSynced transition). */
  lastSync: z.string().optional(),
  /**
   * Secrets: whether the destination Secret exists, inferred from VSO's status only (the portal
   * never reads Secrets): `true` when SecretSynced=True, `false` when VSO reports it could not
   * write it, `null` when VSO has not said.
   */
  destinationExists: z.boolean().nullable().optional(),
});
/**
 * A VSO object in an answer.
 *
 * @public
 */
export type VsoObject = z.infer<typeof vsoObjectSchema>;

/**
 * zod schema of one cluster's part of an entity Secrets answer.
 *
 * @public
 */
export const clusterSecretsSchema = clusterAnswerSchema.extend({
  secrets: z.array(vsoObjectSchema),
  /** VaultAuths the secrets use, with their VaultAuthGlobal and VaultConnection when known. */
  auths: z.array(vsoObjectSchema),
  unavailable: z.array(unavailableResourceSchema),
});
/**
 * One cluster's part of an entity Secrets answer.
 *
 * @public
 */
export type ClusterSecrets = z.infer<typeof clusterSecretsSchema>;

/**
 * zod schema of `GET /entity/:namespace/:kind/:name/secrets`.
 *
 * @public
 */
export const entitySecretsResponseSchema = z.object({
  entityRef: z.string(),
  clusters: z.array(clusterSecretsSchema),
});
/**
 * Response of `GET /entity/:namespace/:kind/:name/secrets`.
 *
 * @public
 */
export type EntitySecretsResponse = z.infer<typeof entitySecretsResponseSchema>;

/**
 * zod schema of `POST /gitops/action`: reconcile now, suspend or resume one Flux object.
 *
 * @public
 */
export const fluxActionRequestSchema = fluxObjectRefSchema.extend({
  action: z.enum(['reconcile', 'suspend', 'resume']),
});
/**
 * Body of `POST /gitops/action`.
 *
 * @public
 */
export type FluxActionRequest = z.infer<typeof fluxActionRequestSchema>;

/**
 * zod schema of `POST /gitops/action`'s response.
 *
 * @public
 */
export const fluxActionResponseSchema = z.object({
  object: fluxObjectRefSchema,
  action: fluxActionRequestSchema.shape.action,
  /** The `reconcile.fluxcd.io/requestedAt` value written (reconcile). */
  requestedAt: z.string().optional(),
  suspended: z.boolean().optional(),
});
/**
 * Response of `POST /gitops/action`.
 *
 * @public
 */
export type FluxActionResponse = z.infer<typeof fluxActionResponseSchema>;
