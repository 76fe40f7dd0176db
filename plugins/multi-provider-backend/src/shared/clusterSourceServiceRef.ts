import {
  coreServices,
  createServiceFactory,
  createServiceRef,
} from '@backstage/backend-plugin-api';
import { readMultiProviderConfig } from '../config';
import { KubeClusterSource } from './KubeClusterSource';
import { ClusterSource } from './clusterTypes';

/**
 * The clusters the plugin caches. Defaults to configuration (kubernetes plugin shape plus
 * `multiProvider.kubeconfig`); tests and benchmarks replace it with in-memory clusters.
 */
export const clusterSourceServiceRef = createServiceRef<ClusterSource>({
  id: 'multi-provider.cluster-source',
  defaultFactory: async service =>
    createServiceFactory({
      service,
      deps: { config: coreServices.rootConfig },
      factory: ({ config }) =>
        new KubeClusterSource(readMultiProviderConfig(config)),
    }),
});
