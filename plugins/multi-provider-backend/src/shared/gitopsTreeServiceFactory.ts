import { createServiceFactory } from '@backstage/backend-plugin-api';
import {
  clusterSourceServiceRef,
  gitopsTreeFactoryDeps,
  gitopsTreeForPlugin,
  gitopsTreeServiceRef,
} from '@cloudlab/plugin-multi-provider-node';

/**
 * The GitOps tree of `cloudlab.gitopsTree` with this backend's cluster access, so a `flux` tree
 * is read from the clusters the backend caches. Installed backend-wide, it also serves the Flux
 * catalog module.
 */
export const gitopsTreeServiceFactory = createServiceFactory({
  service: gitopsTreeServiceRef,
  deps: { ...gitopsTreeFactoryDeps, kube: clusterSourceServiceRef },
  factory: gitopsTreeForPlugin,
});
