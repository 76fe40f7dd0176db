import fs from 'node:fs';
import path from 'node:path';
import { folderCases, writeFolderCase } from '../__testUtils__/folderVectors';
import { defaultKustomizeCommand } from './kustomizeBuild';
import { readFluxTree } from './readFluxTree';
import { renderFluxKustomizations } from './renderFluxTree';
import { LocalTreeSource } from './TreeSource';
import { YamlDocumentCache } from './YamlDocumentCache';

// Tests run from source, where __dirname is this directory.
// eslint-disable-next-line no-restricted-syntax
const repoRoot = path.resolve(__dirname, '../../../..');
const command = defaultKustomizeCommand(repoRoot);

const selectorOf = (o: any): string | undefined => {
  const labels: Record<string, string> | undefined =
    o.spec?.selector?.matchLabels;
  return labels
    ? Object.keys(labels)
        .sort()
        .map(k => `${k}=${labels[k]}`)
        .join(',')
    : undefined;
};

describe('renderFluxKustomizations on folders with their own kustomization (conformance/flux-kustomization/folders.json, as the reader)', () => {
  it.each(folderCases.map(c => [c.name, c] as const))('%s', async (_, c) => {
    const root = writeFolderCase(c);
    const before = fs.readdirSync(root, { recursive: true }).sort();
    try {
      const source = new LocalTreeSource(root);
      const cache = new YamlDocumentCache(source);
      cache.begin();
      const k = (await readFluxTree(cache, '.')).clusters
        .flatMap(cl => cl.kustomizations)
        .find(x => x.name === c.kustomization.metadata.name)!;
      const [rendered] = await renderFluxKustomizations(source, [k], {
        command,
      });
      expect(rendered.error).toBeUndefined();
      const got = rendered.objects
        .map(o => ({
          kind: o.kind,
          ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}),
          name: o.metadata.name,
          ...(c.expected.find(e => e.name === o.metadata.name)?.selector
            ? { selector: selectorOf(o) }
            : {}),
        }))
        .sort((a, b) => (a.name < b.name ? -1 : 1));
      expect(got).toEqual(
        [...c.expected].sort((a, b) => (a.name < b.name ? -1 : 1)),
      );
      // The spec is written into a view of the tree, never into the tree itself.
      expect(fs.readdirSync(root, { recursive: true }).sort()).toEqual(before);
      for (const [rel, text] of Object.entries(c.files))
        expect(fs.readFileSync(path.join(root, rel), 'utf8')).toBe(text);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('renderFluxKustomizations writing the spec into a folder that reaches outside it', () => {
  it('resolves ../ references of the folder as in the tree', async () => {
    const [c] = folderCases;
    const root = writeFolderCase({
      ...c,
      files: {
        'shared/kustomization.yaml': 'resources:\n  - cm.yaml\n',
        'shared/cm.yaml':
          'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: shared\n',
        'envs/eu/kustomization.yaml':
          'namePrefix: own-\nresources:\n  - ../../shared\n',
      },
      kustomization: {
        metadata: { name: 'eu', namespace: 'flux-system' },
        spec: { path: './envs/eu', namePrefix: 'eu-', targetNamespace: 'eu' },
      },
    });
    try {
      const source = new LocalTreeSource(root);
      const cache = new YamlDocumentCache(source);
      cache.begin();
      const k = (await readFluxTree(cache, '.')).clusters
        .flatMap(cl => cl.kustomizations)
        .find(x => x.name === 'eu')!;
      const [rendered] = await renderFluxKustomizations(source, [k], {
        command,
      });
      expect(rendered.error).toBeUndefined();
      expect(
        rendered.objects.map(o => [
          o.kind,
          o.metadata.namespace,
          o.metadata.name,
        ]),
      ).toEqual([['ConfigMap', 'eu', 'eu-shared']]);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
