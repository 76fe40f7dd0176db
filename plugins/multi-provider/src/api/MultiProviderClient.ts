import type { CompoundEntityRef } from '@backstage/catalog-model';
import { ResponseError } from '@backstage/errors';
import type { DiscoveryApi, FetchApi } from '@backstage/frontend-plugin-api';
import {
  entityGitOpsResponseSchema,
  entitySecretsResponseSchema,
  fluxActionRequestSchema,
  fluxActionResponseSchema,
  platformGitOpsResponseSchema,
  type EntityGitOpsResponse,
  type EntitySecretsResponse,
  type FluxActionRequest,
  type FluxActionResponse,
  type PlatformGitOpsQuery,
  type PlatformGitOpsResponse,
  clusterStatusResponseSchema,
  desiredStorageResponseSchema,
  entityStorageResponseSchema,
  platformStorageResponseSchema,
  type DesiredStorageResponse,
  type EntityStorageResponse,
  type PlatformStorageResponse,
  entityPlacementResponseSchema,
  failureDomainAdviceRequestSchema,
  failureDomainAdviceResponseSchema,
  failureDomainRequestSchema,
  failureDomainResponseSchema,
  platformPlacementResponseSchema,
  entityCostResponseSchema,
  platformCostSchema,
  type EntityCostResponse,
  type PlatformCost,
  type ClusterStatusResponse,
  type EntityPlacementResponse,
  type FailureDomainAdviceRequest,
  type FailureDomainAdviceResponse,
  type FailureDomainRequest,
  type FailureDomainResponse,
  type PlatformPlacementResponse,
} from '@cloudlab/plugin-multi-provider-common';
import type { ZodType, ZodTypeDef } from 'zod';
import type { MultiProviderApi } from './MultiProviderApi';
import { rememberAnswerVersion } from './answerVersions';

/** `namespace/kind/name`, each part URL-encoded. */
function entityPath(entity: CompoundEntityRef): string {
  return [entity.namespace, entity.kind, entity.name]
    .map(encodeURIComponent)
    .join('/');
}

/** The backend plugin id the client discovers. */
const PLUGIN_ID = 'multi-provider';

/**
 * Thrown when the backend answers 2xx with a body the shared schema rejects:
 * the frontend and backend disagree on the contract, which must be loud.
 *
 * @public
 */
export class InvalidResponseError extends Error {
  readonly name = 'InvalidResponseError';
}

/**
 * {@link MultiProviderApi} over the backend's REST routes.
 *
 * @public
 */
export class MultiProviderClient implements MultiProviderApi {
  readonly #discoveryApi: DiscoveryApi;
  readonly #fetchApi: FetchApi;

  constructor(options: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {
    this.#discoveryApi = options.discoveryApi;
    this.#fetchApi = options.fetchApi;
  }

  getEntityPlacement(
    entity: CompoundEntityRef,
  ): Promise<EntityPlacementResponse> {
    return this.#request(
      `/entity/${entityPath(entity)}/placement`,
      entityPlacementResponseSchema,
    );
  }

  getEntityCost(entity: CompoundEntityRef): Promise<EntityCostResponse> {
    return this.#request(
      `/entity/${entityPath(entity)}/cost`,
      entityCostResponseSchema,
    );
  }

  getPlatformCost(): Promise<PlatformCost> {
    return this.#request('/platform/cost', platformCostSchema);
  }

  getEntityStorage(entity: CompoundEntityRef): Promise<EntityStorageResponse> {
    return this.#request(
      `/entity/${entityPath(entity)}/storage`,
      entityStorageResponseSchema,
    );
  }

  getPlatformStorage(): Promise<PlatformStorageResponse> {
    return this.#request('/platform/storage', platformStorageResponseSchema);
  }

  getDesiredStorage(cluster?: string): Promise<DesiredStorageResponse> {
    const query = cluster ? `?cluster=${encodeURIComponent(cluster)}` : '';
    return this.#request(
      `/platform/storage/desired${query}`,
      desiredStorageResponseSchema,
    );
  }

  getEntityGitOps(entity: CompoundEntityRef): Promise<EntityGitOpsResponse> {
    return this.#request(
      `/entity/${entityPath(entity)}/gitops`,
      entityGitOpsResponseSchema,
    );
  }

  getEntitySecrets(entity: CompoundEntityRef): Promise<EntitySecretsResponse> {
    return this.#request(
      `/entity/${entityPath(entity)}/secrets`,
      entitySecretsResponseSchema,
    );
  }

  getPlatformGitOps(
    query: PlatformGitOpsQuery = {},
  ): Promise<PlatformGitOpsResponse> {
    const params = new URLSearchParams();
    if (query.state) params.set('state', query.state);
    if (query.cluster) params.set('cluster', query.cluster);
    const qs = params.toString();
    return this.#request(
      `/platform/gitops${qs ? `?${qs}` : ''}`,
      platformGitOpsResponseSchema,
    );
  }

  fluxAction(request: FluxActionRequest): Promise<FluxActionResponse> {
    return this.#post(
      '/gitops/action',
      fluxActionRequestSchema.parse(request),
      fluxActionResponseSchema,
    );
  }

  getPlatformPlacement(): Promise<PlatformPlacementResponse> {
    return this.#request(
      '/platform/placement',
      platformPlacementResponseSchema,
    );
  }

  async analyseFailureDomain(
    request: FailureDomainRequest,
  ): Promise<FailureDomainResponse> {
    // Validate our own body too: a typo in a caller is found here, not as a 400.
    return this.#post(
      '/platform/failure-domain',
      failureDomainRequestSchema.parse(request),
      failureDomainResponseSchema,
    );
  }

  async adviseFailureDomain(
    request: FailureDomainAdviceRequest,
  ): Promise<FailureDomainAdviceResponse> {
    return this.#post(
      '/platform/failure-domain/advice',
      failureDomainAdviceRequestSchema.parse(request),
      failureDomainAdviceResponseSchema,
    );
  }

  getClusters(): Promise<ClusterStatusResponse> {
    return this.#request('/clusters', clusterStatusResponseSchema);
  }

  #post<T>(
    path: string,
    body: unknown,
    schema: ZodType<T, ZodTypeDef, unknown>,
  ): Promise<T> {
    return this.#request(path, schema, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
  }

  async #request<T>(
    path: string,
    schema: ZodType<T, ZodTypeDef, unknown>,
    init?: RequestInit,
  ): Promise<T> {
    const baseUrl = await this.#discoveryApi.getBaseUrl(PLUGIN_ID);
    const response = await this.#fetchApi.fetch(`${baseUrl}${path}`, init);
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    const parsed = schema.safeParse(await response.json());
    if (!parsed.success) {
      const issues = parsed.error.issues
        .slice(0, 3)
        .map(i => `${i.path.join('.') || '(root)'}: ${i.message}`)
        .join('; ');
      throw new InvalidResponseError(
        `Unexpected response from ${path}: ${issues}`,
      );
    }
    rememberAnswerVersion(parsed.data, response.headers.get('etag'));
    return parsed.data;
  }
}
