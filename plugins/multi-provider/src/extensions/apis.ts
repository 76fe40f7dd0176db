import { ApiBlueprint } from '@backstage/frontend-plugin-api';
import { multiProviderApiFactory } from '../api';

/** `api:multi-provider`: the typed client of the multi-provider backend. */
export const multiProviderApi = ApiBlueprint.make({
  params: defineParams => defineParams(multiProviderApiFactory),
});
