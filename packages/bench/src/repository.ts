import fs from 'node:fs';
import path from 'node:path';

/**
 * The repository the bench runs in: the directory whose `package.json` declares workspaces,
 * found upwards from `start`. The bench is repository tooling, so it may know the layout that
 * the plugins take from configuration.
 */
export function findRepoRoot(start: string = process.cwd()): string {
  let dir = path.resolve(start);
  for (;;) {
    const file = path.join(dir, 'package.json');
    if (
      fs.existsSync(file) &&
      JSON.parse(fs.readFileSync(file, 'utf8')).workspaces
    ) {
      return dir;
    }
    const parent = path.dirname(dir);
    if (parent === dir) {
      throw new Error(`no workspace root above ${start}`);
    }
    dir = parent;
  }
}

/** The provider registry folder of the repository. */
export const registryDir = (root: string = findRepoRoot()) =>
  path.join(root, 'providers');

/** The suite's shared `cloudlab` block for this repository, as app-config.yaml sets it. */
export const repositoryCloudlabConfig = (root: string = findRepoRoot()) => ({
  gitopsTree: {
    local: { path: root },
    fluxPath: 'gitops',
    catalogPath: 'catalog',
    desiredCluster: 'lab',
  },
  providers: { directory: registryDir(root) },
});
