import {
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { InputError, NotAllowedError } from '@backstage/errors';
import {
  entityRefParamsSchema,
  failureDomainRequestSchema,
  multiProviderPlacementReadPermission,
} from '@internal/plugin-multi-provider-common';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import express, { Request } from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { PlacementService } from '../services/PlacementService';

/** Dependencies of the placement routes. */
export interface PlacementRoutesOptions {
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  placement: PlacementService;
}

function parse<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new InputError(
      `Invalid ${what}: ${issue.path.join('.') || '(root)'}: ${issue.message}`,
    );
  }
  return result.data;
}

/** The placement, platform, failure-domain and cluster status routes; each one authorized. */
export function placementRoutes(
  options: PlacementRoutesOptions,
): express.Router {
  const { httpAuth, permissions, placement } = options;
  const router = Router();
  router.use(express.json());

  const authorize = async (req: Request) => {
    const credentials = await httpAuth.credentials(req);
    const [decision] = await permissions.authorize(
      [{ permission: multiProviderPlacementReadPermission }],
      { credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError('Unauthorized');
    }
    return credentials;
  };

  router.get('/entity/:namespace/:kind/:name/placement', async (req, res) => {
    const credentials = await authorize(req);
    const ref = parse(entityRefParamsSchema, req.params, 'entity reference');
    res.json(await placement.entityPlacement(ref, credentials));
  });

  router.get('/platform/placement', async (req, res) => {
    await authorize(req);
    res.json(placement.platformPlacement());
  });

  router.post('/platform/failure-domain', async (req, res) => {
    await authorize(req);
    const body = parse(failureDomainRequestSchema, req.body, 'request body');
    res.json(placement.failureDomain(body));
  });

  router.get('/clusters', async (req, res) => {
    await authorize(req);
    res.json(placement.clusterStatus());
  });

  return router;
}
