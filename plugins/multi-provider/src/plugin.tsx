import { createFrontendPlugin } from '@backstage/frontend-plugin-api';
import CloudIcon from '@material-ui/icons/Cloud';
import {
  entityGitOpsContent,
  entityPlacementContent,
  entitySecretsCard,
  gitopsPage,
  multiProviderApi,
  providersPage,
} from './extensions';
import { gitopsRouteRef, rootRouteRef } from './routes';

/**
 * Cloudlab's multi-provider views: the Placement and GitOps entity tabs, the Secrets card,
 * the Providers and GitOps pages.
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
    providersPage,
    entityGitOpsContent,
    entitySecretsCard,
    gitopsPage,
  ],
  routes: { root: rootRouteRef, gitops: gitopsRouteRef },
});
