import {
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import express from 'express';
import { CostService } from './CostService';
import { sendJsonAnswer } from '../shared/answerMemo';
import { routerFromTable } from '../shared/tableRouter';

/**
 * Dependencies of the cost routes.
 *
 * @alpha
 */
export interface CostRoutesOptions {
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  cost: CostService;
}

/**
 * The entity and platform cost routes, authorized like the placement routes they sit beside.
 *
 * @alpha
 */
export function costRoutes(options: CostRoutesOptions): express.Router {
  const { cost } = options;
  return routerFromTable(options, {
    'GET /entity/:namespace/:kind/:name/cost': async (
      { params, credentials },
      _req,
      res,
    ) => {
      res.json(await cost.entityCost(params, credentials));
    },
    'GET /platform/cost': async (_input, req, res) => {
      sendJsonAnswer(req, res, cost.platformCostAnswer().json());
    },
    'POST /cost/estimate': async ({ body }, _req, res) => {
      res.json(cost.estimate(body));
    },
  });
}
