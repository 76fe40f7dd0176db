import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { clusterSourceServiceRef } from '@cloudlab/plugin-multi-provider-node';
import { readMultiProviderConfig } from '../config';
import { KubeClusterSource } from './KubeClusterSource';

/**
 * The default cluster source: configuration (kubernetes plugin shape plus
 * `multiProvider.kubeconfig`); tests and benchmarks replace it with in-memory clusters.
 */
export const clusterSourceServiceFactory = createServiceFactory({
  service: clusterSourceServiceRef,
  deps: { config: coreServices.rootConfig },
  factory: ({ config }) =>
    new KubeClusterSource(readMultiProviderConfig(config)),
});
