import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import type { Entity } from '@backstage/catalog-model';
import type { Server } from 'node:http';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import { scaffolderModuleGitops } from '../module';
import { REPO_ROOT, validatorPathOrStandIn } from './workspace';

/**
 * The real scaffolder backend with this module, publishing locally to `localRepository`, the
 * catalog holding `entities`; the Go validator (see `validatorPathOrStandIn`).
 * Returns the HTTP server to send requests to.
 */
export async function startScaffolder(opts: {
  localRepository: string;
  entities?: Entity[];
}): Promise<Server> {
  const backend = await startTestBackend({
    features: [
      scaffolderPlugin,
      scaffolderModuleGitops,
      catalogServiceMock.factory({ entities: opts.entities ?? [] }),
      mockServices.rootConfig.factory({
        data: {
          backend: { baseUrl: 'http://localhost:7007' },
          cloudlab: {
            gitops: {
              publish: 'local',
              localRepository: opts.localRepository,
              repositoryRoot: REPO_ROOT,
              validatorPath: validatorPathOrStandIn(),
            },
          },
        },
      }),
    ],
  });
  return backend.server;
}
