import { AddressInfo } from 'node:net';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import multiProviderPlugin from '@cloudlab/plugin-multi-provider-backend';
import { LabPaths } from '../../paths';
import { labCloudlabConfig } from '../labFixture';

type CatalogEntities = NonNullable<
  NonNullable<Parameters<typeof catalogServiceMock.factory>[0]>['entities']
>;

/**
 * The real multi-provider backend plugin (permissions ALLOW, a catalog of `entities`, empty by
 * default) configured with `clusters` in the kubernetes plugin's shape and `multiProvider`
 * settings; returns the base URL of its routes and a stop function.
 */
export async function startMultiProviderBackend(
  paths: LabPaths,
  clusters: object[],
  multiProvider: object = {},
  entities: CatalogEntities = [],
) {
  const backend = await startTestBackend({
    features: [
      multiProviderPlugin,
      mockServices.rootConfig.factory({
        data: {
          kubernetes: {
            clusterLocatorMethods: [{ type: 'config', clusters }],
          },
          cloudlab: labCloudlabConfig(paths),
          multiProvider: { ...multiProvider },
        },
      }),
      mockServices.permissions.factory({ result: AuthorizeResult.ALLOW }),
      catalogServiceMock.factory({ entities }),
    ],
  });
  const base = `http://127.0.0.1:${
    (backend.server.address() as AddressInfo).port
  }/api/multi-provider`;
  return {
    base,
    /** GET a route as JSON, with how long it took. */
    async get<T = any>(route: string) {
      const t0 = Date.now();
      const res = await fetch(`${base}${route}`);
      const ms = Date.now() - t0;
      if (res.status !== 200) {
        throw new Error(`GET ${route}: HTTP ${res.status} ${await res.text()}`);
      }
      return { body: (await res.json()) as T, ms };
    },
    /** Stops the whole backend — its caches too, not only the HTTP server. */
    stop: () => backend.stop(),
  };
}
