import {
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import express from 'express';
import { DesiredStorageService } from './DesiredStorageService';
import { StorageService } from './StorageService';
import { sendJsonAnswer } from '../shared/answerMemo';
import { routerFromTable } from '../shared/tableRouter';

/** Dependencies of the storage routes. */
export interface StorageRoutesOptions {
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  storage: StorageService;
  desired: DesiredStorageService;
}

/** The storage routes (entity claims, platform storage, desired state); each one authorized. */
export function storageRoutes(options: StorageRoutesOptions): express.Router {
  const { storage, desired } = options;
  return routerFromTable(options, {
    'GET /entity/:namespace/:kind/:name/storage': async (
      { params, credentials },
      req,
      res,
    ) => {
      const answer = await storage.entityStorageAnswer(params, credentials);
      sendJsonAnswer(req, res, answer.json());
    },
    'GET /platform/storage': async (_input, _req, res) => {
      res.json(storage.platformStorage());
    },
    'GET /platform/storage/desired': async ({ query }, _req, res) => {
      res.json(await desired.desiredStorage(query.cluster));
    },
  });
}
