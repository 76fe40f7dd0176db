import type { TreeSource } from '../tree/TreeSource';

/**
 * The extension point for where the GitOps tree is read from: the interface a tree source
 * implements. The multi-provider backend declares the service ref (with a local-directory
 * default) and reads the tree only through it.
 */
export type { TreeSource };
