import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { actionsRegistryServiceRef } from '@backstage/backend-plugin-api/alpha';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import {
  scaffolderActionsExtensionPoint,
  scaffolderServiceRef,
} from '@backstage/plugin-scaffolder-node';
import { readProvidersConfig } from '@cloudlab/plugin-multi-provider-node';
import { readGitopsConfig } from './config';
import { createActions } from './actions';
import { stopValidatorServers } from './lib/validator';
import { createProvidersRouter } from './providersRoute';
import { registerValidateChangeAction } from './validateChangeAction';

/**
 * Registers the Cloudlab GitOps actions (`cloudlab:*`) with the scaffolder, and the dry run of a
 * template (`scaffolder:validate-gitops-change`) with the actions registry.
 *
 * @public
 */
export const scaffolderModuleGitops = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'gitops',
  register(env) {
    env.registerInit({
      deps: {
        scaffolder: scaffolderActionsExtensionPoint,
        config: coreServices.rootConfig,
        lifecycle: coreServices.lifecycle,
        httpRouter: coreServices.httpRouter,
        permissions: coreServices.permissions,
        actionsRegistry: actionsRegistryServiceRef,
        scaffolderService: scaffolderServiceRef,
        catalog: catalogServiceRef,
      },
      async init({ scaffolder, config, lifecycle, httpRouter, ...deps }) {
        const gitops = readGitopsConfig(config);
        const providers = readProvidersConfig(config);
        scaffolder.addActions(...createActions(gitops));
        // The provider picker's data (scaffolder-frontend-module-cloudlab), same registry.
        httpRouter.use(createProvidersRouter(providers));
        // The dry run of a template as a read-only action (an MCP tool), for agents.
        registerValidateChangeAction({
          actionsRegistry: deps.actionsRegistry,
          scaffolder: deps.scaffolderService,
          catalog: deps.catalog,
          permissions: deps.permissions,
        });
        // The validator's serve process (lib/validator.ts) ends with the backend.
        lifecycle.addShutdownHook(() => stopValidatorServers());
      },
    });
  },
});
