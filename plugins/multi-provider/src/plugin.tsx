import { createFrontendPlugin } from '@backstage/frontend-plugin-api';
import CloudIcon from '@material-ui/icons/Cloud';
import {
  entityPlacementContent,
  entityStorageContent,
  multiProviderApi,
  providersPage,
  storagePage,
} from './extensions';
import { rootRouteRef, storageRouteRef } from './routes';

/**
 * Cloudlab's multi-provider views: the Placement and Storage entity tabs, the Providers and Storage pages.
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
  ],
  routes: { root: rootRouteRef, storage: storageRouteRef },
});
