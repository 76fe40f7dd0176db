import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readFluxTree } from './readFluxTree';
import {
  LocalTreeSource,
  TreeDirEntry,
  TreeEntryStat,
  TreeSource,
} from './TreeSource';
import { YamlDocumentCache } from './YamlDocumentCache';

/** Counts the calls a reader makes, by kind and path. */
class CountingSource implements TreeSource {
  readonly description: string;
  readonly stats = new Map<string, number>();
  readonly reads: string[] = [];
  constructor(private readonly inner: TreeSource) {
    this.description = inner.description;
  }
  stat(p: string): Promise<TreeEntryStat | undefined> {
    this.stats.set(p, (this.stats.get(p) ?? 0) + 1);
    return this.inner.stat(p);
  }
  list(p: string): Promise<TreeDirEntry[]> {
    return this.inner.list(p);
  }
  readText(p: string): Promise<string> {
    this.reads.push(p);
    return this.inner.readText(p);
  }
}

function tempTree(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'yaml-cache-'));
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

// Tests run from source, where __dirname is this directory.
// eslint-disable-next-line no-restricted-syntax
const layered = path.join(__dirname, '../__fixtures__/layouts/layered');

describe('YamlDocumentCache', () => {
  it('sees one state of a file per pass, and its new state in the next pass', async () => {
    const dir = tempTree({ 'a.yaml': 'x: 1\n' });
    const cache = new YamlDocumentCache(new LocalTreeSource(dir));
    cache.begin();
    expect(await cache.read('a.yaml')).toEqual([{ x: 1 }]);
    fs.writeFileSync(path.join(dir, 'a.yaml'), 'x: 22\n');
    expect(await cache.read('a.yaml')).toEqual([{ x: 1 }]);
    cache.begin();
    expect(await cache.read('a.yaml')).toEqual([{ x: 22 }]);
  });

  it('looks at each path once per pass when readFluxTree reads a tree', async () => {
    const source = new CountingSource(new LocalTreeSource(layered));
    const cache = new YamlDocumentCache(source);
    for (let pass = 1; pass <= 2; pass++) {
      source.stats.clear();
      cache.begin();
      await readFluxTree(cache, '.');
      expect(cache.fileErrors()).toEqual([]);
      expect([...source.stats.values()].every(n => n === 1)).toBe(true);
    }
    // The second pass found nothing changed, so it read no file again.
    expect(new Set(source.reads).size).toBe(source.reads.length);
  });

  it('readMany returns each file’s documents in the order asked, a missing file as none', async () => {
    const files = Object.fromEntries(
      Array.from({ length: 50 }, (_, i) => [`d/${i}.yaml`, `n: ${i}\n`]),
    );
    const cache = new YamlDocumentCache(new LocalTreeSource(tempTree(files)));
    cache.begin();
    const names = [...Object.keys(files).reverse(), 'd/missing.yaml'];
    const docs = await cache.readMany(names);
    expect(docs).toEqual([
      ...Array.from({ length: 50 }, (_, i) => [{ n: 49 - i }]),
      [],
    ]);
    expect(cache.fileErrors()).toEqual([
      { file: 'd/missing.yaml', reason: 'cannot be read: no such file' },
    ]);
  });

  it('reuses an earlier cache’s parse only where the file at that path has the same content', async () => {
    const one = tempTree({ 'a.yaml': 'x: 1\n', 'b.yaml': 'y: 1\n' });
    const two = tempTree({ 'a.yaml': 'x: 1\n', 'b.yaml': 'y: 2\n' });
    const first = new YamlDocumentCache(new LocalTreeSource(one));
    first.begin();
    const a1 = await first.read('a.yaml');
    await first.read('b.yaml');
    const second = new YamlDocumentCache(new LocalTreeSource(two));
    second.reuseParsesOf(first);
    second.begin();
    expect(await second.read('a.yaml')).toBe(a1);
    expect(await second.read('b.yaml')).toEqual([{ y: 2 }]);
  });
});
