import express from 'express';
import Router from 'express-promise-router';
import { ProviderDefinition } from '@cloudlab/plugin-multi-provider-common';
import {
  loadConfiguredProviderRegistry,
  ProvidersConfig,
} from '@cloudlab/plugin-multi-provider-node';

/** What the provider picker shows: a provider with its storage facts (classes, sizes). */
export type ProviderChoice = Pick<
  ProviderDefinition,
  'name' | 'displayName' | 'storage'
>;

/** Where the route answers under the scaffolder's base URL. */
export const PROVIDERS_PATH = '/cloudlab/providers';

/**
 * `GET /api/scaffolder/cloudlab/providers`: the provider registry (`cloudlab.providers`, read
 * through the one registry loader) reduced to what a template form needs.
 * The actions check every submitted provider again against the workspace's registry.
 */
export function createProvidersRouter(
  registryConfig: ProvidersConfig,
): express.Router {
  const router = Router();
  router.get(PROVIDERS_PATH, async (_req, res) => {
    // Read per request: a registry folder's edits show without a restart.
    const registry = await loadConfiguredProviderRegistry(registryConfig);
    const providers: ProviderChoice[] = registry.providers.map(
      ({ name, displayName, storage }) => ({ name, displayName, storage }),
    );
    res.json({ providers });
  });
  return router;
}
