import {
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import express from 'express';
import { PlacementService } from './PlacementService';
import { sendJsonAnswer } from '../shared/answerMemo';
import { routerFromTable } from '../shared/tableRouter';

/**
 * Dependencies of the placement routes.
 *
 * @alpha
 */
export interface PlacementRoutesOptions {
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  placement: PlacementService;
}

/**
 * The placement, platform, failure-domain and cluster status routes; each one authorized.
 *
 * @alpha
 */
export function placementRoutes(
  options: PlacementRoutesOptions,
): express.Router {
  const { placement } = options;
  return routerFromTable(options, {
    'GET /entity/:namespace/:kind/:name/placement': async (
      { params, credentials },
      req,
      res,
    ) => {
      const answer = await placement.entityPlacementAnswer(params, credentials);
      sendJsonAnswer(req, res, answer.json());
    },
    'GET /platform/placement': async (_input, req, res) => {
      sendJsonAnswer(req, res, placement.platformPlacementAnswer().json());
    },
    'POST /platform/failure-domain': async ({ body }, _req, res) => {
      res.json(placement.failureDomain(body));
    },
    'POST /platform/failure-domain/advice': async ({ body }, _req, res) => {
      res.json(placement.failureDomainAdvice(body));
    },
    'GET /clusters': async (_input, _req, res) => {
      res.json(placement.clusterStatus());
    },
  });
}
