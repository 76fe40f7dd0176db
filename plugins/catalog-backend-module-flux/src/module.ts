import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { catalogProcessingExtensionPoint } from '@backstage/plugin-catalog-node';
import {
  gitopsTreeServiceRef,
  readGitopsTreeConfig,
} from '@cloudlab/plugin-multi-provider-node';
import { readFluxCatalogConfig } from './config';
import { FluxEntityProvider } from './provider/FluxEntityProvider';

/**
 * Emits catalog entities for every Flux-reconciled service in `gitops/` (see docs/catalog).
 *
 * @public
 */
export const catalogModuleFlux = createBackendModule({
  pluginId: 'catalog',
  moduleId: 'flux',
  register(env) {
    env.registerInit({
      deps: {
        catalog: catalogProcessingExtensionPoint,
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        scheduler: coreServices.scheduler,
        gitopsTree: gitopsTreeServiceRef,
      },
      async init({ catalog, config, logger, scheduler, gitopsTree }) {
        const { options, schedule } = readFluxCatalogConfig(config);
        // A local folder announces no revisions: it is re-read on the schedule. Flux sources and
        // Git hosts announce each new revision, and the provider follows them instead.
        const local = readGitopsTreeConfig(config).source.type === 'local';
        catalog.addEntityProvider(
          new FluxEntityProvider(
            options,
            gitopsTree,
            logger,
            local ? { scheduler, definition: schedule } : undefined,
          ),
        );
      },
    });
  },
});
