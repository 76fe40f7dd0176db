import { fluxOperatorServiceFactory } from './gitops/KubeFluxOperator';
import { clusterSourceServiceFactory } from './shared/clusterSourceServiceFactory';
import { gitopsTreeServiceFactory } from './shared/gitopsTreeServiceFactory';

/**
 * The backend's implementations of the extension points of `@cloudlab/plugin-multi-provider-node`
 * (cluster source, Flux operator, GitOps tree). The package's default export installs them beside
 * the plugin; a factory an app adds for the same ref wins over these.
 *
 * @public
 */
export const defaultServiceFactories = [
  clusterSourceServiceFactory,
  fluxOperatorServiceFactory,
  gitopsTreeServiceFactory,
];
