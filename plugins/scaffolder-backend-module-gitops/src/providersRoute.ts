import express from 'express';
import Router from 'express-promise-router';
import path from 'node:path';
import { GitopsConfig } from './config';
import { ProviderDefinition } from '@cloudlab/plugin-multi-provider-common';
import { loadProviderRegistry } from '@cloudlab/plugin-multi-provider-node';

/** What the provider picker shows: a provider with its storage facts (classes, sizes). */
export type ProviderChoice = Pick<
  ProviderDefinition,
  'name' | 'displayName' | 'storage'
>;

/** Where the route answers under the scaffolder's base URL. */
export const PROVIDERS_PATH = '/cloudlab/providers';

/**
 * `GET /api/scaffolder/cloudlab/providers`: the provider registry (`providers/` of the
 * repository root, read through the one registry schema) reduced to what a template form needs.
 * The actions check every submitted provider again against the workspace's registry.
 */
export function createProvidersRouter(config: GitopsConfig): express.Router {
  const router = Router();
  router.get(PROVIDERS_PATH, async (_req, res) => {
    if (!config.repositoryRoot) {
      res.status(503).json({
        error: 'cloudlab.gitops.repositoryRoot is not set and was not found',
      });
      return;
    }
    const registry = await loadProviderRegistry(
      path.join(config.repositoryRoot, 'providers'),
    );
    const providers: ProviderChoice[] = registry.providers.map(
      ({ name, displayName, storage }) => ({ name, displayName, storage }),
    );
    res.json({ providers });
  });
  return router;
}
