import { createApiRef } from '@backstage/frontend-plugin-api';
import type { CompoundEntityRef } from '@backstage/catalog-model';
import type {
  ClusterStatusResponse,
  EntityPlacementResponse,
  FailureDomainRequest,
  FailureDomainResponse,
  PlatformPlacementResponse,
} from '@internal/plugin-multi-provider-common';

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
  /** Cache state of every configured cluster. */
  getClusters(): Promise<ClusterStatusResponse>;
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
