import { PageBlueprint } from '@backstage/frontend-plugin-api';
import CloudIcon from '@material-ui/icons/Cloud';
import AccountTreeIcon from '@material-ui/icons/AccountTree';
import StorageIcon from '@material-ui/icons/Storage';
import { gitopsRouteRef, rootRouteRef, storageRouteRef } from '../routes';

/** `page:multi-provider`: the platform page, listed in the nav as "Providers". */
export const providersPage = PageBlueprint.make({
  params: {
    path: '/multi-provider',
    title: 'Providers',
    icon: <CloudIcon />,
    routeRef: rootRouteRef,
    loader: () =>
      import('../components/ProvidersPage').then(m => <m.ProvidersPage />),
  },
});

/** `page:multi-provider/storage`: the platform storage page, listed in the nav as "Storage". */
export const storagePage = PageBlueprint.make({
  name: 'storage',
  params: {
    path: '/multi-provider/storage',
    title: 'Storage',
    icon: <StorageIcon />,
    routeRef: storageRouteRef,
    loader: () =>
      import('../components/StoragePage').then(m => <m.StoragePage />),
  },
});

/** `page:multi-provider/gitops`: every Flux object of the platform with its roll-up. */
export const gitopsPage = PageBlueprint.make({
  name: 'gitops',
  params: {
    path: '/multi-provider/gitops',
    title: 'GitOps',
    icon: <AccountTreeIcon />,
    routeRef: gitopsRouteRef,
    loader: () =>
      import('../components/GitOpsPage').then(m => <m.GitOpsPage />),
  },
});
