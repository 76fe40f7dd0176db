import { PageBlueprint } from '@backstage/frontend-plugin-api';
import CloudIcon from '@material-ui/icons/Cloud';
import { rootRouteRef } from '../routes';

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
