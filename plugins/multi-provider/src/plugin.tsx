import { createFrontendPlugin } from '@backstage/frontend-plugin-api';
import CloudIcon from '@material-ui/icons/Cloud';
import {
  entityGitOpsContent,
  entityPlacementContent,
  entityStorageContent,
  entitySecretsCard,
  gitopsPage,
  multiProviderApi,
  providersPage,
  storagePage,
} from './extensions';
import { gitopsRouteRef, rootRouteRef, storageRouteRef } from './routes';

/**
 * Cloudlab's multi-provider views: the Placement, Storage and GitOps entity tabs, the Secrets
 * card, the Providers, Storage and GitOps pages.
 *
 * @public
 */
export const multiProviderPlugin = createFrontendPlugin({
  pluginId: 'multi-provider',
  title: 'Providers',
  icon: <CloudIcon />,
  info: { packageJson: () => import('../package.json') },
  extensions: [
    multiProviderApi,
    entityPlacementContent,
    entityStorageContent,
    providersPage,
    storagePage,
    entityGitOpsContent,
    entitySecretsCard,
    gitopsPage,
  ],
  routes: {
    root: rootRouteRef,
    storage: storageRouteRef,
    gitops: gitopsRouteRef,
  },
});
