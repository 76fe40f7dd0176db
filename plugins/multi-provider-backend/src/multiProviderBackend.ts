import { createBackendFeatureLoader } from '@backstage/backend-plugin-api';
import { defaultServiceFactories } from './defaultServiceFactories';
import { multiProviderPlugin } from './plugin';

/**
 * The plugin with the default implementations of its extension points. Service factories from a
 * feature loader give way to ones the app installs itself, so `backend.add(myFactory)` for
 * `clusterSourceServiceRef`, `fluxOperatorServiceRef` or `gitopsTreeServiceRef` replaces the
 * default.
 *
 * @public
 */
export const multiProviderBackend = createBackendFeatureLoader({
  loader: () => [multiProviderPlugin, ...defaultServiceFactories],
});
