import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readFluxTree } from './readFluxTree';
import { LocalTreeSource } from './TreeSource';
import { YamlDocumentCache } from './YamlDocumentCache';

// Tests run from source, where __dirname is this directory.
// eslint-disable-next-line no-restricted-syntax
const vectorsFile = path.resolve(
  __dirname,
  '../../../../conformance/flux-sources/cases.json',
);

interface Case {
  name: string;
  cluster: string;
  files: Record<string, string>;
  kustomizations: Array<{ name: string; followed: boolean; source?: string }>;
}

const cases: Case[] = JSON.parse(fs.readFileSync(vectorsFile, 'utf8')).cases;

describe('readFluxTree: which Kustomizations are read from this repository (conformance/flux-sources, shared with Go)', () => {
  it('has the vectors', () => {
    expect(cases.length).toBeGreaterThanOrEqual(2);
  });

  it.each(cases.map(c => [c.name, c] as const))('%s', async (_, c) => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'flux-sources-'));
    try {
      for (const [rel, text] of Object.entries(c.files)) {
        fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
        fs.writeFileSync(path.join(root, rel), text);
      }
      const cache = new YamlDocumentCache(new LocalTreeSource(root));
      cache.begin();
      // No reader of other sources: the case the validator is in.
      const model = await readFluxTree(cache, '.');
      const cluster = model.clusters.find(
        cl => cl.dir === c.cluster || cl.name === path.basename(c.cluster),
      );
      for (const expected of c.kustomizations) {
        const k = cluster?.kustomizations.find(x => x.name === expected.name);
        const got = {
          name: expected.name,
          read: k?.workloads.map(w => w.name) ?? 'absent',
          notFollowed: (k?.errors ?? []).filter(e =>
            expected.source
              ? e.includes(`source ${expected.source} is not readable here`)
              : e.includes('is not readable here'),
          ).length,
        };
        expect(got).toEqual({
          name: expected.name,
          read: expected.followed ? ['web'] : [],
          notFollowed: expected.followed ? 0 : 1,
        });
      }
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
