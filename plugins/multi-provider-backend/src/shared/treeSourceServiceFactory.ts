import { createServiceFactory } from '@backstage/backend-plugin-api';
import {
  LocalTreeSource,
  treeSourceServiceRef,
} from '@cloudlab/plugin-multi-provider-node';
import { findRepoRoot } from '../config';

/** The default tree source: the repository folder the backend runs in. */
export const treeSourceServiceFactory = createServiceFactory({
  service: treeSourceServiceRef,
  deps: {},
  factory: () => new LocalTreeSource(findRepoRoot(process.cwd())),
});
