import { createFrontendPlugin } from '@backstage/frontend-plugin-api';
import CloudIcon from '@material-ui/icons/Cloud';
import {
  entityPlacementContent,
  multiProviderApi,
  providersPage,
} from './extensions';
import { rootRouteRef } from './routes';

/**
 * Cloudlab's multi-provider views: the Placement entity tab and the Providers page.
 *
 * @public
 */
export const multiProviderPlugin = createFrontendPlugin({
  pluginId: 'multi-provider',
  title: 'Providers',
  icon: <CloudIcon />,
  info: { packageJson: () => import('../package.json') },
  extensions: [multiProviderApi, entityPlacementContent, providersPage],
  routes: { root: rootRouteRef },
});
