import { z } from 'zod';
import { multiProviderPlacementReadPermission } from '../permissions';
import { clusterStatusResponseSchema } from './clusterStatus';
import {
  entityPlacementResponseSchema,
  entityRefParamsSchema,
} from './entityPlacement';
import {
  failureDomainRequestSchema,
  failureDomainResponseSchema,
} from './failureDomain';
import { platformPlacementResponseSchema } from './platformPlacement';

/** One route of the backend plugin's REST API, described by its shared zod schemas. */
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
  /** JSON body, for POST routes. */
  body?: z.ZodTypeAny;
  response: z.ZodTypeAny;
  /** Name of the exported response type. */
  responseType: string;
}

/**
 * Every route of `@internal/plugin-multi-provider-backend`. The backend's route test checks that
 * the router serves exactly these; the API reference (`docs/reference/multi-provider-api.md`) is
 * generated from them.
 */
export const multiProviderRoutes: MultiProviderRoute[] = [
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
    method: 'GET',
    path: '/clusters',
    summary:
      "Each configured cluster's cache state, last sync, last error and node and pod counts.",
    permission: multiProviderPlacementReadPermission.name,
    response: clusterStatusResponseSchema,
    responseType: 'ClusterStatusResponse',
  },
];
