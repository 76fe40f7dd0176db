import path from 'node:path';

// Tests run from source, where __dirname is this directory.
// eslint-disable-next-line no-restricted-syntax
export const REPO_ROOT = path.resolve(__dirname, '../../../..');

/**
 * The suite's shared `cloudlab` block for this repository's own layout (as app-config.yaml
 * sets it), with absolute paths so tests do not depend on their working directory.
 */
export const repositoryCloudlabConfig = () => ({
  gitopsTree: {
    local: { path: REPO_ROOT },
    fluxPath: 'gitops',
    catalogPath: 'catalog',
    desiredCluster: 'lab',
  },
  providers: { directory: path.join(REPO_ROOT, 'providers') },
});
