import {
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { NotFoundError, NotImplementedError } from '@backstage/errors';
import { FluxActionResponse } from '@cloudlab/plugin-multi-provider-common';
import express from 'express';
import { routerFromTable } from '../shared/tableRouter';
import { GitOpsService } from './GitOpsService';
import { FluxOperator } from '@cloudlab/plugin-multi-provider-node';
import { OPERATOR_CONFIG_KEY, reconcilePatch } from './KubeFluxOperator';

/** Dependencies of the GitOps routes. */
export interface GitOpsRoutesOptions {
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  gitops: GitOpsService;
  operator: FluxOperator;
}

/**
 * The GitOps and Secrets views and the Flux actions. Every route is authorized before it parses
 * its input or looks at a cache; reads answer from the watch caches only.
 */
export function gitopsRoutes(options: GitOpsRoutesOptions): express.Router {
  const { gitops, operator } = options;
  return routerFromTable(options, {
    'GET /entity/:namespace/:kind/:name/gitops': async (
      { params, credentials },
      _req,
      res,
    ) => {
      res.json(await gitops.entityGitOps(params, credentials));
    },
    'GET /entity/:namespace/:kind/:name/secrets': async (
      { params, credentials },
      _req,
      res,
    ) => {
      res.json(await gitops.entitySecrets(params, credentials));
    },
    'GET /platform/gitops': async ({ query }, _req, res) => {
      res.json(gitops.platformGitOps(query));
    },
    'POST /gitops/action': async ({ body }, _req, res) => {
      if (!gitops.clusterNames().includes(body.cluster)) {
        throw new NotFoundError(`Unknown cluster ${body.cluster}`);
      }
      // Only objects the cache knows: the action cannot be pointed at anything else.
      const current = gitops.findFluxObject(body);
      if (!current) {
        throw new NotFoundError(
          `${body.kind} ${body.namespace}/${body.name} not found in cluster ${body.cluster}`,
        );
      }
      if (!operator.clusters().includes(body.cluster)) {
        throw new NotImplementedError(
          `Flux actions need a write credential for cluster ${body.cluster}: configure ${OPERATOR_CONFIG_KEY} (name: ${body.cluster}, serviceAccountToken); the read-only portal credential is never used to write`,
        );
      }
      const { action, ...object } = body;
      const out: FluxActionResponse = { object, action };
      if (action === 'reconcile') {
        const patch = reconcilePatch();
        await operator.patch(object, patch);
        out.requestedAt = Object.values(patch.metadata.annotations)[0];
      } else {
        out.suspended = action === 'suspend';
        await operator.patch(object, { spec: { suspend: out.suspended } });
      }
      res.json(out);
    },
  });
}
