import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';

/**
 * The shared vectors of conformance/flux-kustomization/folders.json (the Go validator runs them
 * too): a Flux Kustomization whose spec.path is a folder with its own kustomization file.
 */
export interface FolderCase {
  name: string;
  files: Record<string, string>;
  kustomization: Record<string, any>;
  expected: Array<{
    kind: string;
    namespace?: string;
    name: string;
    /** The label selector, `key=value` pairs in key order. */
    selector?: string;
  }>;
}

// Tests run from source, where __dirname is this directory.
// eslint-disable-next-line no-restricted-syntax
const vectorsFile = path.resolve(
  __dirname,
  '../../../../conformance/flux-kustomization/folders.json',
);

export const folderCases: FolderCase[] = JSON.parse(
  fs.readFileSync(vectorsFile, 'utf8'),
).cases;

// The cluster around a case: a sync pair as `flux bootstrap` writes it, and the case's
// Flux Kustomization reading the same repository.
const syncFile = `---
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata:
  name: flux-system
  namespace: flux-system
spec:
  url: https://git.example.test/folders.git
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: flux-system
  namespace: flux-system
spec:
  path: ./clusters/lab
  sourceRef:
    kind: GitRepository
    name: flux-system
`;

/** Writes a case's repository (its files and cluster `clusters/lab`) to a temporary folder. */
export function writeFolderCase(c: FolderCase): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'flux-folders-'));
  const files: Record<string, string> = {
    ...c.files,
    'clusters/lab/sync.yaml': syncFile,
    'clusters/lab/case.yaml': stringify({
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
      ...c.kustomization,
      spec: {
        sourceRef: { kind: 'GitRepository', name: 'flux-system' },
        ...c.kustomization.spec,
      },
    }),
  };
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  }
  return root;
}
