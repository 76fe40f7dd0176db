import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { readFluxTree } from './readFluxTree';
import { LocalTreeSource } from './TreeSource';
import { YamlDocumentCache } from './YamlDocumentCache';

// Tests run from source, where __dirname is this directory.
// eslint-disable-next-line no-restricted-syntax
const vectorsFile = path.resolve(
  __dirname,
  '../../../../conformance/flux-kustomization/folders.json',
);

interface Case {
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

const cases: Case[] = JSON.parse(fs.readFileSync(vectorsFile, 'utf8')).cases;

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

describe('readFluxTree on folders with their own kustomization (conformance/flux-kustomization/folders.json, shared with Go)', () => {
  it('has the vectors', () => {
    expect(cases.length).toBeGreaterThanOrEqual(5);
  });

  it.each(cases.map(c => [c.name, c] as const))('%s', async (_, c) => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'flux-folders-'));
    try {
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
      const cache = new YamlDocumentCache(new LocalTreeSource(root));
      cache.begin();
      const model = await readFluxTree(cache, '.');
      const k = model.clusters
        .flatMap(cl => cl.kustomizations)
        .find(x => x.name === c.kustomization.metadata.name);
      expect(k?.errors).toEqual([]);
      // Every object of the vectors is a workload: what the catalog's selectors are built from.
      const got = [...(k?.workloads ?? [])]
        .map(w => ['Deployment', w.namespace, w.name])
        .sort((a, b) => (a.join('/') < b.join('/') ? -1 : 1));
      expect(got).toEqual(c.expected.map(e => [e.kind, e.namespace, e.name]));
      for (const e of c.expected.filter(x => x.selector)) {
        const w = k!.workloads.find(x => x.name === e.name);
        expect(w?.selector).toBe(e.selector);
      }
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
