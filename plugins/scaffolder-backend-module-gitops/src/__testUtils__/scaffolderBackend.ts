import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import type { Entity } from '@backstage/catalog-model';
import type { Server } from 'node:http';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import { scaffolderModuleGitops } from '../module';
import path from 'node:path';
import { CRD_PATH, REPO_ROOT, validatorPathOrStandIn } from './workspace';

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
            gitopsTree: { local: { path: REPO_ROOT }, fluxPath: 'gitops' },
            providers: { directory: path.join(REPO_ROOT, 'providers') },
            gitops: {
              publish: 'local',
              localRepository: opts.localRepository,
              validatorPath: validatorPathOrStandIn(),
              crdPath: CRD_PATH,
            },
          },
        },
      }),
    ],
  });
  return backend.server;
}
