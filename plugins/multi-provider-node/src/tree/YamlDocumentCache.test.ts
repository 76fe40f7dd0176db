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
import { parseYamlDocuments, YamlDocumentCache } from './YamlDocumentCache';
import { YamlParsePool } from './YamlParsePool';

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

/** Two trees differing in `b.yaml`, and a cache that read the first. */
async function twoRevisions() {
  const one = tempTree({ 'a.yaml': 'x: 1\n', 'b.yaml': 'y: 1\n' });
  const two = tempTree({ 'a.yaml': 'x: 1\n', 'b.yaml': 'y: 2\n' });
  const first = new YamlDocumentCache(new LocalTreeSource(one));
  first.begin();
  const a1 = await first.read('a.yaml');
  await first.read('b.yaml');
  return { one, two, first, a1 };
}

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
    const { two, first, a1 } = await twoRevisions();
    const second = new YamlDocumentCache(new LocalTreeSource(two));
    second.reuseParsesOf(first);
    second.begin();
    expect(await second.read('a.yaml')).toBe(a1);
    expect(await second.read('b.yaml')).toEqual([{ y: 2 }]);
  });

  it('looks again only at the paths it is told changed, and keeps the rest unread', async () => {
    const dir = tempTree({ 'a.yaml': 'x: 1\n', 'b.yaml': 'y: 1\n' });
    const source = new CountingSource(new LocalTreeSource(dir));
    const cache = new YamlDocumentCache(source);
    cache.begin();
    await cache.readMany(['a.yaml', 'b.yaml']);
    fs.writeFileSync(path.join(dir, 'a.yaml'), 'x: 2\n');
    fs.writeFileSync(path.join(dir, 'b.yaml'), 'y: 2\n');
    fs.writeFileSync(path.join(dir, 'c.yaml'), 'z: 1\n');
    source.stats.clear();
    cache.begin(['a.yaml', 'c.yaml']);
    expect(await cache.read('a.yaml')).toEqual([{ x: 2 }]);
    // Not told: what the last pass saw stands.
    expect(await cache.read('b.yaml')).toEqual([{ y: 1 }]);
    // A new file shows in its directory's listing.
    expect(await cache.listYaml('.')).toEqual(['a.yaml', 'b.yaml', 'c.yaml']);
    expect([...source.stats.keys()].sort()).toEqual(['a.yaml']);
    expect(cache.fingerprint().get('b.yaml')).toBeDefined();
  });

  it('forgets everything under a directory it is told changed', async () => {
    const dir = tempTree({ 'd/a.yaml': 'x: 1\n' });
    const cache = new YamlDocumentCache(new LocalTreeSource(dir));
    cache.begin();
    expect(await cache.listYaml('.')).toEqual(['d/a.yaml']);
    fs.rmSync(path.join(dir, 'd'), { recursive: true });
    cache.begin(['d']);
    expect(await cache.listYaml('.')).toEqual([]);
    expect(await cache.exists('d/a.yaml')).toBe(false);
  });

  it('starts the next revision from this one, unread where unchanged', async () => {
    const { one, two, first, a1 } = await twoRevisions();
    const source = new CountingSource(new LocalTreeSource(two));
    const second = first.next(source, new Set(['b.yaml']));
    second.begin();
    expect(await second.read('a.yaml')).toBe(a1);
    expect(await second.read('b.yaml')).toEqual([{ y: 2 }]);
    expect(source.reads).toEqual(['b.yaml']);
    // Without a list of changes, every file is read and compared by content.
    const third = second.next(new CountingSource(new LocalTreeSource(one)));
    third.begin();
    expect(await third.read('a.yaml')).toBe(a1);
    expect(await third.read('b.yaml')).toEqual([{ y: 1 }]);
  });

  it('parses the same in the worker pool as in the main thread', async () => {
    const texts: Record<string, string> = {
      'multi.yaml': '---\na: 1\n---\nb: [1, 2]\n---\n',
      'anchors.yaml': 'base: &b {x: 1}\nuse: *b\nlist:\n  - *b\n',
      'scalars.yaml':
        'n: .inf\nt: true\nnull: ~\ns: "1.0"\nbig: 12345678901234567890\n',
      'bad.yaml': 'a: [unclosed\n',
      'dup.yaml': 'a: 1\na: 2\n',
      'empty.yaml': '',
      // Enough files for readMany to hand them to the workers.
      ...Object.fromEntries(
        Array.from({ length: 80 }, (_, i) => [`many/${i}.yaml`, `n: ${i}\n`]),
      ),
    };
    const dir = tempTree(texts);
    const pool = new YamlParsePool({ size: 2 });
    try {
      const pooled = new YamlDocumentCache(new LocalTreeSource(dir), {
        parsePool: pool,
      });
      const inline = new YamlDocumentCache(new LocalTreeSource(dir), {
        parsePool: false,
      });
      pooled.begin();
      inline.begin();
      const files = Object.keys(texts);
      expect(await pooled.readMany(files)).toEqual(
        await inline.readMany(files),
      );
      expect(pooled.fileErrors()).toEqual(inline.fileErrors());
      expect(pooled.fileErrors().map(e => e.file)).toEqual([
        'bad.yaml',
        'dup.yaml',
      ]);
      for (const text of Object.values(texts)) {
        expect(await pool.parse(text)).toEqual(parseYamlDocuments(text));
      }
    } finally {
      await pool.close();
    }
  });
});
