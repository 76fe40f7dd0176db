import {
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import {
  desiredStorageQuerySchema,
  entityRefParamsSchema,
  multiProviderStorageReadPermission,
} from '@internal/plugin-multi-provider-common';
import express from 'express';
import Router from 'express-promise-router';
import { DesiredStorageService } from './DesiredStorageService';
import { StorageService } from './StorageService';
import { sendJsonAnswer } from '../shared/answerMemo';
import { parseInput, permissionGuard } from '../shared/guard';

/** Dependencies of the storage routes. */
export interface StorageRoutesOptions {
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  storage: StorageService;
  desired: DesiredStorageService;
}

/** The storage routes (entity claims, platform storage, desired state); each one authorized. */
export function storageRoutes(options: StorageRoutesOptions): express.Router {
  const { httpAuth, permissions, storage, desired } = options;
  const router = Router();

  const authorize = permissionGuard(
    httpAuth,
    permissions,
    multiProviderStorageReadPermission,
  );

  router.get('/entity/:namespace/:kind/:name/storage', async (req, res) => {
    const credentials = await authorize(req);
    const ref = parseInput(
      entityRefParamsSchema,
      req.params,
      'entity reference',
    );
    const answer = await storage.entityStorageAnswer(ref, credentials);
    sendJsonAnswer(req, res, answer.json());
  });

  router.get('/platform/storage', async (req, res) => {
    await authorize(req);
    res.json(storage.platformStorage());
  });

  router.get('/platform/storage/desired', async (req, res) => {
    await authorize(req);
    const query = parseInput(desiredStorageQuerySchema, req.query, 'query');
    res.json(await desired.desiredStorage(query.cluster));
  });

  return router;
}
