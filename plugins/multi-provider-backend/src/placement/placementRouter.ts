import {
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import {
  entityRefParamsSchema,
  failureDomainRequestSchema,
  multiProviderPlacementReadPermission,
} from '@internal/plugin-multi-provider-common';
import express from 'express';
import Router from 'express-promise-router';
import { PlacementService } from './PlacementService';
import { sendJsonAnswer } from '../shared/answerMemo';
import { parseInput, permissionGuard } from '../shared/guard';

/** Dependencies of the placement routes. */
export interface PlacementRoutesOptions {
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  placement: PlacementService;
}

/** The placement, platform, failure-domain and cluster status routes; each one authorized. */
export function placementRoutes(
  options: PlacementRoutesOptions,
): express.Router {
  const { httpAuth, permissions, placement } = options;
  const router = Router();
  router.use(express.json());

  const authorize = permissionGuard(
    httpAuth,
    permissions,
    multiProviderPlacementReadPermission,
  );

  router.get('/entity/:namespace/:kind/:name/placement', async (req, res) => {
    const credentials = await authorize(req);
    const ref = parseInput(
      entityRefParamsSchema,
      req.params,
      'entity reference',
    );
    const answer = await placement.entityPlacementAnswer(ref, credentials);
    sendJsonAnswer(req, res, answer.json());
  });

  router.get('/platform/placement', async (req, res) => {
    await authorize(req);
    res.json(placement.platformPlacement());
  });

  router.post('/platform/failure-domain', async (req, res) => {
    await authorize(req);
    const body = parseInput(
      failureDomainRequestSchema,
      req.body,
      'request body',
    );
    res.json(placement.failureDomain(body));
  });

  router.get('/clusters', async (req, res) => {
    await authorize(req);
    res.json(placement.clusterStatus());
  });

  return router;
}
