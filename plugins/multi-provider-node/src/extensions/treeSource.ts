import { createServiceRef } from '@backstage/backend-plugin-api';
import type { TreeSource } from '../tree/TreeSource';

export type { TreeSource };

/**
 * Where the multi-provider backend reads the GitOps tree from (the desired-storage view). The
 * backend's default is the repository folder on local disk (`LocalTreeSource`); install
 * another factory for this ref to read a Flux source artifact or a Git host.
 *
 * @public
 */
export const treeSourceServiceRef = createServiceRef<TreeSource>({
  id: 'multi-provider.tree-source',
});
