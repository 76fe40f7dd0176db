import { z } from 'zod';
import {
  multiProviderFluxOperatePermission,
  multiProviderGitopsReadPermission,
  multiProviderPlacementReadPermission,
  multiProviderStorageReadPermission,
} from '../permissions';
import { clusterStatusResponseSchema } from './clusterStatus';
import { entityCostResponseSchema, platformCostSchema } from './cost';
import {
  costEstimateRequestSchema,
  costEstimateResponseSchema,
} from './costEstimate';
import {
  entityPlacementResponseSchema,
  entityRefParamsSchema,
} from './entityPlacement';
import {
  failureDomainRequestSchema,
  failureDomainResponseSchema,
} from './failureDomain';
import {
  failureDomainAdviceRequestSchema,
  failureDomainAdviceResponseSchema,
} from './advice';
import {
  entityGitOpsResponseSchema,
  entitySecretsResponseSchema,
  fluxActionRequestSchema,
  fluxActionResponseSchema,
  platformGitOpsQuerySchema,
  platformGitOpsResponseSchema,
} from './gitops';
import { platformPlacementResponseSchema } from './platformPlacement';
import {
  desiredStorageQuerySchema,
  desiredStorageResponseSchema,
  entityStorageResponseSchema,
  platformStorageResponseSchema,
} from './storage';

/**
 * One route of the backend plugin's REST API, described by its shared zod schemas.
 *
 * @public
 */
export interface MultiProviderRoute {
  method: 'GET' | 'POST';
  /** Express path below `/api/multi-provider`. */
  path: string;
  /** What it answers, in one sentence. */
  summary: string;
  /** The permission authorized before any input is read. */
  permission: string;
  /** Path parameters, when the path has any. */
  params?: z.ZodTypeAny;
  /** Query parameters, when the route reads any. */
  query?: z.ZodTypeAny;
  /** JSON body, for POST routes. */
  body?: z.ZodTypeAny;
  response: z.ZodTypeAny;
  /** Name of the exported response type. */
  responseType: string;
}

/**
 * Every route of `@cloudlab/plugin-multi-provider-backend`: the backend's routers register from
 * this table (method, path, permission, input schemas), and the API reference
 * (`docs/reference/multi-provider-api.md`) is generated from it. Declared `as const` so a router
 * knows each route's input types from its schemas.
 *
 * @public
 */
export const multiProviderRoutes = [
  {
    method: 'GET',
    path: '/entity/:namespace/:kind/:name/placement',
    summary:
      "The entity's pods by cluster → provider → region → zone → node, each with its placement intent and whether reality matches it.",
    permission: multiProviderPlacementReadPermission.name,
    params: entityRefParamsSchema,
    response: entityPlacementResponseSchema,
    responseType: 'EntityPlacementResponse',
  },
  {
    method: 'GET',
    path: '/platform/placement',
    summary:
      'Every cluster as providers → regions → zones → nodes with capacity, allocatable, requested resources, pod counts and the EU flag.',
    permission: multiProviderPlacementReadPermission.name,
    response: platformPlacementResponseSchema,
    responseType: 'PlatformPlacementResponse',
  },
  {
    method: 'POST',
    path: '/platform/failure-domain',
    summary:
      'Simulates the loss of a provider, region or zone: per service, survives / degraded / down with replicas before and after.',
    permission: multiProviderPlacementReadPermission.name,
    body: failureDomainRequestSchema,
    response: failureDomainResponseSchema,
    responseType: 'FailureDomainResponse',
  },
  {
    method: 'POST',
    path: '/platform/failure-domain/advice',
    summary:
      'For each service the loss would not leave surviving: the cheapest change that makes it survive (spread, extra replica on another provider, second stateful instance), its monthly cost delta and the verdict the same analysis gives it, with the template that writes it.',
    permission: multiProviderPlacementReadPermission.name,
    body: failureDomainAdviceRequestSchema,
    response: failureDomainAdviceResponseSchema,
    responseType: 'FailureDomainAdviceResponse',
  },
  {
    method: 'GET',
    path: '/clusters',
    summary:
      "Each configured cluster's cache state, last sync, last error and node and pod counts.",
    permission: multiProviderPlacementReadPermission.name,
    response: clusterStatusResponseSchema,
    responseType: 'ClusterStatusResponse',
  },
  {
    method: 'GET',
    path: '/entity/:namespace/:kind/:name/cost',
    summary:
      "The entity's monthly cost from the registry's list prices: per workload its pods' shares of their nodes, what it would cost on each provider's cheapest fitting server type, and its claims.",
    permission: multiProviderPlacementReadPermission.name,
    params: entityRefParamsSchema,
    response: entityCostResponseSchema,
    responseType: 'EntityCostResponse',
  },
  {
    method: 'GET',
    path: '/platform/cost',
    summary:
      "Monthly cost per cluster from the registry's list prices: per node (used and idle), provider, region, zone, service, claim and storage class, with the rule and stale price tables.",
    permission: multiProviderPlacementReadPermission.name,
    response: platformCostSchema,
    responseType: 'PlatformCost',
  },
  {
    method: 'POST',
    path: '/cost/estimate',
    summary:
      "What a template run will cost a month before it runs: per provider its instance's pods on the cheapest fitting server type and its volume, from the registry's list prices.",
    permission: multiProviderPlacementReadPermission.name,
    body: costEstimateRequestSchema,
    response: costEstimateResponseSchema,
    responseType: 'CostEstimateResponse',
  },
  {
    method: 'GET',
    path: '/entity/:namespace/:kind/:name/storage',
    summary:
      "The entity's claims: class, provider and zone of the volume, size, access and binding modes, phase, the pods that mount them and their nodes, and the storage findings.",
    permission: multiProviderStorageReadPermission.name,
    params: entityRefParamsSchema,
    response: entityStorageResponseSchema,
    responseType: 'EntityStorageResponse',
  },
  {
    method: 'GET',
    path: '/platform/storage',
    summary:
      'CSI drivers per provider and the nodes running their node plugins, StorageClasses, claims and volumes per provider and zone, capacity per class and findings, per cluster.',
    permission: multiProviderStorageReadPermission.name,
    response: platformStorageResponseSchema,
    responseType: 'PlatformStorageResponse',
  },
  {
    method: 'GET',
    path: '/platform/storage/desired',
    summary:
      'The claims each Flux Kustomization of a gitops/ cluster tree will create, with class, provider and findings — before they are merged.',
    permission: multiProviderStorageReadPermission.name,
    query: desiredStorageQuerySchema,
    response: desiredStorageResponseSchema,
    responseType: 'DesiredStorageResponse',
  },
  {
    method: 'GET',
    path: '/entity/:namespace/:kind/:name/gitops',
    summary:
      "The entity's Flux objects with state, reason, revisions, suspension and inventory, the dependsOn chain and one roll-up verdict.",
    permission: multiProviderGitopsReadPermission.name,
    params: entityRefParamsSchema,
    response: entityGitOpsResponseSchema,
    responseType: 'EntityGitOpsResponse',
  },
  {
    method: 'GET',
    path: '/entity/:namespace/:kind/:name/secrets',
    summary:
      "The entity's VSO objects with their conditions, last sync, refresh interval, destination and rollout targets — never a secret value.",
    permission: multiProviderGitopsReadPermission.name,
    params: entityRefParamsSchema,
    response: entitySecretsResponseSchema,
    responseType: 'EntitySecretsResponse',
  },
  {
    method: 'GET',
    path: '/platform/gitops',
    summary:
      'Every Flux object of every cluster with its state and roll-up, optionally filtered by state and cluster.',
    permission: multiProviderGitopsReadPermission.name,
    query: platformGitOpsQuerySchema,
    response: platformGitOpsResponseSchema,
    responseType: 'PlatformGitOpsResponse',
  },
  {
    method: 'POST',
    path: '/gitops/action',
    summary:
      'Reconcile now, suspend or resume one Flux object through the optional operator credential (501 when it is not configured).',
    permission: multiProviderFluxOperatePermission.name,
    body: fluxActionRequestSchema,
    response: fluxActionResponseSchema,
    responseType: 'FluxActionResponse',
  },
] as const satisfies readonly MultiProviderRoute[];
