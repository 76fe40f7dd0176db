import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  LocalTreeSource,
  readGitopsTreeConfig,
  treeSourceServiceRef,
} from '@cloudlab/plugin-multi-provider-node';

/** The default tree source: the local folder of `cloudlab.gitopsTree.local.path`. */
export const treeSourceServiceFactory = createServiceFactory({
  service: treeSourceServiceRef,
  deps: { config: coreServices.rootConfig },
  factory: ({ config }) =>
    new LocalTreeSource(readGitopsTreeConfig(config).source.path),
});
