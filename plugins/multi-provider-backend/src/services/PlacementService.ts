import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { InputError, NotFoundError } from '@backstage/errors';
import {
  ClusterStatusResponse,
  EntityPlacementResponse,
  FailureDomainRequest,
  FailureDomainResponse,
  PlatformPlacementResponse,
  ProviderRegistry,
  analyseFailureDomain,
  buildClusterPlacement,
  buildPlatformPlacement,
  describeNodes,
} from '@internal/plugin-multi-provider-common';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { ClusterCache } from '../cache/ClusterCache';
import { entityPodMatcher } from './entityPods';

/** Fields of a per-cluster answer that come from the cache state. */
export function clusterHeader(cache: ClusterCache) {
  const status = cache.status();
  const header: {
    cluster: string;
    state: typeof status.state;
    staleSince?: string;
    error?: string;
  } = { cluster: cache.name, state: status.state };
  if (status.staleSince) header.staleSince = status.staleSince;
  if (status.lastError) header.error = status.lastError;
  if (!cache.hasData && !header.error) {
    header.error = 'cluster not synced yet';
  }
  return header;
}

/** Answers the placement routes from the caches; no cluster calls per request. */
export class PlacementService {
  constructor(
    private readonly caches: ClusterCache[],
    private readonly registry: () => ProviderRegistry,
    private readonly catalog: CatalogService,
  ) {}

  clusterStatus(): ClusterStatusResponse {
    return { clusters: this.caches.map(c => c.status()) };
  }

  async entityPlacement(
    ref: { kind: string; namespace: string; name: string },
    credentials: BackstageCredentials,
  ): Promise<EntityPlacementResponse> {
    const entity = await this.catalog.getEntityByRef(ref, { credentials });
    if (!entity) {
      throw new NotFoundError(
        `Entity ${ref.kind}:${ref.namespace}/${ref.name} not found`,
      );
    }
    const matches = entityPodMatcher(entity);
    if (!matches) {
      throw new InputError(
        `Entity ${stringifyEntityRef(
          entity,
        )} has neither a backstage.io/kubernetes-id nor a backstage.io/kubernetes-label-selector annotation`,
      );
    }
    const registry = this.registry();
    return {
      entityRef: stringifyEntityRef(entity),
      clusters: this.caches.map(cache => {
        const header = clusterHeader(cache);
        if (!cache.hasData) {
          return {
            ...header,
            providers: [],
            unscheduled: [],
            podCount: 0,
            warnings: [],
          };
        }
        const pods = [...cache.pods.items.values()].filter(matches);
        return {
          ...header,
          ...buildClusterPlacement({
            pods,
            nodes: cache.nodes.items.values(),
            registry,
          }),
        };
      }),
    };
  }

  platformPlacement(): PlatformPlacementResponse {
    const registry = this.registry();
    return {
      clusters: this.caches.map(cache => {
        const header = clusterHeader(cache);
        if (!cache.hasData) return { ...header, providers: [], nonEuNodes: [] };
        return {
          ...header,
          ...buildPlatformPlacement(
            cache.nodes.items.values(),
            cache.pods.items.values(),
            registry,
          ),
        };
      }),
    };
  }

  failureDomain(request: FailureDomainRequest): FailureDomainResponse {
    const registry = this.registry();
    const caches = request.cluster
      ? this.caches.filter(c => c.name === request.cluster)
      : this.caches;
    if (request.cluster && caches.length === 0) {
      throw new NotFoundError(`Unknown cluster ${request.cluster}`);
    }
    const domain = { level: request.level, name: request.name };
    return {
      domain,
      clusters: caches.map(cache => {
        const header = clusterHeader(cache);
        if (!cache.hasData) {
          return {
            ...header,
            lostNodes: [],
            services: [],
            summary: { survives: 0, degraded: 0, down: 0 },
          };
        }
        return {
          ...header,
          ...analyseFailureDomain({
            nodes: describeNodes(cache.nodes.items.values(), registry),
            pods: cache.pods.items.values(),
            registry,
            domain,
          }),
        };
      }),
    };
  }
}
