import {
  createApiFactory,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/frontend-plugin-api';
import { multiProviderApiRef } from './MultiProviderApi';
import { MultiProviderClient } from './MultiProviderClient';

/**
 * The one factory of the {@link MultiProviderApi} client: the new frontend system's
 * `api:multi-provider` extension and the legacy `createPlugin` register this same object, so
 * both apps talk to the backend through the same client built from the same APIs.
 *
 * @public
 */
export const multiProviderApiFactory = createApiFactory({
  api: multiProviderApiRef,
  deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
  factory: ({ discoveryApi, fetchApi }) =>
    new MultiProviderClient({ discoveryApi, fetchApi }),
});
