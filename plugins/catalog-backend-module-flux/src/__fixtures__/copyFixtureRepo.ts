import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FluxCatalogLayout } from '../config';

/** Copies `__fixtures__/repo` to a fresh temporary directory, so tests may edit it. */
export function copyFixtureRepo(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flux-catalog-'));
  // Tests run from source, where __dirname is this directory.
  // eslint-disable-next-line no-restricted-syntax
  fs.cpSync(path.join(__dirname, 'repo'), dir, { recursive: true });
  return dir;
}

/** The layout of the fixture repository (and of this repository): `gitops/`, `providers/`, `catalog/`. */
export function repoLayout(root: string): FluxCatalogLayout {
  return {
    fluxPath: 'gitops',
    catalogPath: 'catalog',
    providers: { type: 'directory', directory: path.join(root, 'providers') },
  };
}
