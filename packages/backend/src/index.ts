import { createBackend } from '@backstage/backend-defaults';
import { assertRequiredEnvironment } from './deployment/requiredEnvironment';
import { permissionModuleCloudlabPolicy } from './permissions/permissionPolicyModule';

// Before anything starts: a deployment missing a secret or its database exits here, naming it.
assertRequiredEnvironment();

const backend = createBackend();

backend.add(import('@backstage/plugin-app-backend'));
backend.add(import('@backstage/plugin-proxy-backend'));

backend.add(import('@backstage/plugin-auth-backend'));
backend.add(import('@backstage/plugin-auth-backend-module-guest-provider'));
backend.add(import('@backstage/plugin-auth-backend-module-github-provider'));

backend.add(import('@backstage/plugin-catalog-backend'));
backend.add(
  import('@backstage/plugin-catalog-backend-module-scaffolder-entity-model'),
);
backend.add(import('@backstage/plugin-catalog-backend-module-logs'));
backend.add(import('@cloudlab/plugin-catalog-backend-module-flux'));

backend.add(import('@backstage/plugin-scaffolder-backend'));
backend.add(import('@backstage/plugin-scaffolder-backend-module-github'));
backend.add(import('@backstage/plugin-scaffolder-backend-module-gitlab'));
backend.add(import('@cloudlab/plugin-scaffolder-backend-module-gitops'));

backend.add(import('@backstage/plugin-techdocs-backend'));

backend.add(import('@backstage/plugin-permission-backend'));
backend.add(permissionModuleCloudlabPolicy);

backend.add(import('@backstage/plugin-search-backend'));
backend.add(import('@backstage/plugin-search-backend-module-pg'));
backend.add(import('@backstage/plugin-search-backend-module-catalog'));
backend.add(import('@backstage/plugin-search-backend-module-techdocs'));

backend.add(import('@backstage/plugin-kubernetes-backend'));
backend.add(import('@cloudlab/plugin-multi-provider-backend'));
// The actions of `backend.actions.pluginSources` as MCP tools (docs/plugins/mcp-actions.md).
backend.add(import('@backstage/plugin-mcp-actions-backend'));

backend.add(import('@backstage/plugin-user-settings-backend'));
backend.add(import('@backstage/plugin-notifications-backend'));
backend.add(import('@backstage/plugin-signals-backend'));

// A backend that fails to start (a database it cannot reach, a plugin that throws) exits, so
// that its pod restarts and never serves half-started.
backend.start().catch(error => {
  process.stderr.write(`backend failed to start: ${error?.stack ?? error}\n`);
  process.exit(1);
});
