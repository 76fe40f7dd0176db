import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { readProvidersConfig } from '@cloudlab/plugin-multi-provider-node';
import { readGitopsConfig } from './config';
import { createActions } from './actions';
import { stopValidatorServers } from './lib/validator';
import { createProvidersRouter } from './providersRoute';

/**
 * Registers the Cloudlab GitOps actions (`cloudlab:*`) with the scaffolder.
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
      },
      async init({ scaffolder, config, lifecycle, httpRouter }) {
        const gitops = readGitopsConfig(config);
        const providers = readProvidersConfig(config);
        scaffolder.addActions(...createActions(gitops));
        // The provider picker's data (scaffolder-frontend-module-cloudlab), same registry.
        httpRouter.use(createProvidersRouter(providers));
        // The validator's serve process (lib/validator.ts) ends with the backend.
        lifecycle.addShutdownHook(() => stopValidatorServers());
      },
    });
  },
});
