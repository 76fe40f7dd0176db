import { createApiRef } from '@backstage/frontend-plugin-api';
import type { CompoundEntityRef } from '@backstage/catalog-model';
import type {
  EntityGitOpsResponse,
  EntitySecretsResponse,
  FluxActionRequest,
  FluxActionResponse,
  PlatformGitOpsQuery,
  PlatformGitOpsResponse,
  ClusterStatusResponse,
  DesiredStorageResponse,
  EntityStorageResponse,
  PlatformStorageResponse,
  EntityPlacementResponse,
  FailureDomainAdviceRequest,
  FailureDomainAdviceResponse,
  FailureDomainRequest,
  FailureDomainResponse,
  PlatformPlacementResponse,
  EntityCostResponse,
  PlatformCost,
} from '@cloudlab/plugin-multi-provider-common';

/**
 * The multi-provider backend, typed with the shared API schemas. Every answer
 * is validated with the same zod parser the backend uses to describe it.
 *
 * @public
 */
export interface MultiProviderApi {
  /** Where an entity's pods run: cluster → provider → region → zone → node. */
  getEntityPlacement(
    entity: CompoundEntityRef,
  ): Promise<EntityPlacementResponse>;
  /** Every provider, region, zone and node with utilisation and pod counts. */
  getPlatformPlacement(): Promise<PlatformPlacementResponse>;
  /** Each service's verdict for the hypothetical loss of a failure domain. */
  analyseFailureDomain(
    request: FailureDomainRequest,
  ): Promise<FailureDomainResponse>;
  /** For services the loss would not leave surviving: the cheapest change that makes them survive. */
  adviseFailureDomain(
    request: FailureDomainAdviceRequest,
  ): Promise<FailureDomainAdviceResponse>;
  /** The entity's monthly cost per workload, its alternatives per provider, its claims. */
  getEntityCost(entity: CompoundEntityRef): Promise<EntityCostResponse>;
  /** Monthly cost per node, provider, region, zone, service, claim and class. */
  getPlatformCost(): Promise<PlatformCost>;
  /** Cache state of every configured cluster. */
  getClusters(): Promise<ClusterStatusResponse>;
  /** The entity's claims: class, provider and zone of the volume, pods, findings. */
  getEntityStorage(entity: CompoundEntityRef): Promise<EntityStorageResponse>;
  /** CSI drivers, StorageClasses, volumes per provider zone and findings per cluster. */
  getPlatformStorage(): Promise<PlatformStorageResponse>;
  /** The claims each Flux Kustomization of a gitops cluster tree will create. */
  getDesiredStorage(cluster?: string): Promise<DesiredStorageResponse>;
  /** The entity's Flux objects, their dependency chain and the roll-up verdict. */
  getEntityGitOps(entity: CompoundEntityRef): Promise<EntityGitOpsResponse>;
  /** The entity's VSO objects (sync status only, never a value). */
  getEntitySecrets(entity: CompoundEntityRef): Promise<EntitySecretsResponse>;
  /** Every Flux object of every cluster with its roll-up, optionally filtered. */
  getPlatformGitOps(
    query?: PlatformGitOpsQuery,
  ): Promise<PlatformGitOpsResponse>;
  /** Reconcile now, suspend or resume one Flux object (needs the operate permission). */
  fluxAction(request: FluxActionRequest): Promise<FluxActionResponse>;
}

/**
 * Reference to the {@link MultiProviderApi}.
 *
 * @public
 */
export const multiProviderApiRef = createApiRef<MultiProviderApi>().with({
  id: 'plugin.multi-provider.service',
  pluginId: 'multi-provider',
});
