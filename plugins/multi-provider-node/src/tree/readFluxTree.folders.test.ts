import fs from 'node:fs';
import { folderCases, writeFolderCase } from '../__testUtils__/folderVectors';
import { readFluxTree } from './readFluxTree';
import { LocalTreeSource } from './TreeSource';
import { YamlDocumentCache } from './YamlDocumentCache';

describe('readFluxTree on folders with their own kustomization (conformance/flux-kustomization/folders.json, shared with Go)', () => {
  it('has the vectors', () => {
    expect(folderCases.length).toBeGreaterThanOrEqual(5);
  });

  it.each(folderCases.map(c => [c.name, c] as const))('%s', async (_, c) => {
    const root = writeFolderCase(c);
    try {
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
