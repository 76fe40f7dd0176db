import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LocalTreeSource } from '../tree/TreeSource';
import { YamlDocumentCache } from '../tree/YamlDocumentCache';
import {
  loadProviderEntries,
  loadProviderRegistry,
  readProviderEntries,
} from './loadProviderRegistry';

// Tests run from source, where __dirname is this directory.
// eslint-disable-next-line no-restricted-syntax
const repoRoot = path.resolve(__dirname, '../../../..');
const vectorsDir = path.join(repoRoot, 'conformance/registry');

interface Expected {
  description: string;
  providers?: string[];
  error?: { file: string; contains: string };
}

const cases = fs
  .readdirSync(vectorsDir, { withFileTypes: true })
  .filter(d => d.isDirectory())
  .map(d => d.name)
  .sort();

describe('loadProviderRegistry conformance (conformance/registry, shared with Go)', () => {
  it('has the vectors, the .yml case among them', () => {
    expect(cases).toEqual(
      expect.arrayContaining(['yml-extension', 'missing-directory']),
    );
  });

  it.each(cases)('%s', async name => {
    const expected: Expected = JSON.parse(
      fs.readFileSync(path.join(vectorsDir, name, 'expected.json'), 'utf8'),
    );
    const outcome = await loadProviderRegistry(
      path.join(vectorsDir, name, 'providers'),
    ).then(
      registry => ({
        providers: registry.providers.map(p => p.name).sort(),
        message: undefined,
      }),
      (e: Error) => ({ providers: undefined, message: e.message }),
    );
    expect(outcome.providers).toEqual(expected.providers);
    const contains = expected.error
      ? [expected.error.file, expected.error.contains]
      : [];
    for (const text of contains) {
      expect(outcome.message).toContain(text);
    }
    expect(outcome.message === undefined).toBe(!expected.error);
  });
});

describe('loadProviderEntries', () => {
  it('loads the repository registry with each provider file and document', async () => {
    const entries = await loadProviderEntries(path.join(repoRoot, 'providers'));
    const hetzner = entries.find(e => e.definition.name === 'hetzner')!;
    expect(hetzner.file).toBe(path.join(repoRoot, 'providers/hetzner.yaml'));
    expect(hetzner.document.spec.instanceTypes.length).toBeGreaterThan(0);
  });

  it('names the field that does not validate', async () => {
    await expect(
      loadProviderEntries(
        path.join(vectorsDir, 'wrong-api-version', 'providers'),
      ),
    ).rejects.toThrow(
      /alpha\.yaml: Provider document 0 is invalid at apiVersion/,
    );
  });
});

describe('readProviderEntries (lenient, for readers that report instead of failing)', () => {
  it('reports the broken file and keeps the others', async () => {
    const dir = path.join(vectorsDir, 'broken-yaml', 'providers');
    const cache = new YamlDocumentCache(new LocalTreeSource(dir));
    cache.begin();
    const entries = await readProviderEntries(cache, '.');
    expect(entries.map(e => e.definition.name)).toEqual(['alpha']);
    expect(cache.fileErrors()).toEqual([
      {
        file: 'beta.yaml',
        reason: expect.stringMatching(/^invalid YAML at line \d+/),
      },
    ]);
  });

  it('reads nothing, and reports nothing, when the directory is missing', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'registry-'));
    const cache = new YamlDocumentCache(new LocalTreeSource(root));
    cache.begin();
    expect(await readProviderEntries(cache, 'providers')).toEqual([]);
    expect(cache.fileErrors()).toEqual([]);
  });
});
