import {
  ApiBlueprint,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/frontend-plugin-api';
import { MultiProviderClient, multiProviderApiRef } from '../api';

/** `api:multi-provider`: the typed client of the multi-provider backend. */
export const multiProviderApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: multiProviderApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new MultiProviderClient({ discoveryApi, fetchApi }),
    }),
});
