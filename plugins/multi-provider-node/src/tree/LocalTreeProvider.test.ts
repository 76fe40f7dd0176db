import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TreeSnapshot } from './GitopsTreeProvider';
import { LocalTreeProvider } from './LocalTreeProvider';

const DEBOUNCE_MS = 100;

/** Waits until `check` passes, or fails naming what it waited for. */
async function until(check: () => boolean, what: string) {
  for (let i = 0; i < 400; i++) {
    if (check()) return;
    await new Promise(r => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const quiet = () => new Promise(r => setTimeout(r, DEBOUNCE_MS * 6));

describe('LocalTreeProvider', () => {
  let dir: string;
  let tree: LocalTreeProvider;
  let seen: TreeSnapshot[];

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'local-tree-'));
    fs.mkdirSync(path.join(dir, 'gitops/apps'), { recursive: true });
    fs.mkdirSync(path.join(dir, '.git'));
    fs.writeFileSync(path.join(dir, 'gitops/apps/a.yaml'), 'a: 1\n');
    tree = new LocalTreeProvider(dir, { debounceMs: DEBOUNCE_MS });
    seen = [];
    tree.subscribe(s => seen.push(s));
    await tree.start();
  });

  afterEach(async () => {
    await tree.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('publishes one snapshot per burst of edits, naming the changed paths', async () => {
    const before = await tree.current();
    fs.writeFileSync(path.join(dir, 'gitops/apps/a.yaml'), 'a: 2\n');
    fs.writeFileSync(path.join(dir, 'gitops/apps/b.yaml'), 'b: 1\n');
    await until(() => seen.length > 0, 'a snapshot');
    await quiet();
    expect(seen).toHaveLength(1);
    const [next] = seen;
    expect(await tree.current()).toBe(next);
    expect(next.source).not.toBe(before.source);
    expect(next.changes?.since).toBe(before.source);
    expect([...next.changes!.paths]).toEqual(
      expect.arrayContaining(['gitops/apps/a.yaml', 'gitops/apps/b.yaml']),
    );
    expect(await next.source.readText('gitops/apps/b.yaml')).toBe('b: 1\n');
  });

  it("ignores Git's own files", async () => {
    fs.writeFileSync(path.join(dir, '.git/HEAD'), 'ref: refs/heads/main\n');
    fs.mkdirSync(path.join(dir, '.git/refs'));
    await quiet();
    expect(seen).toEqual([]);
    // A change of the tree after it is still published, without the Git paths.
    fs.writeFileSync(path.join(dir, 'gitops/apps/a.yaml'), 'a: 3\n');
    await until(() => seen.length > 0, 'a snapshot');
    expect([...seen[0].changes!.paths]).toEqual(['gitops/apps/a.yaml']);
  });

  it('publishes nothing once stopped', async () => {
    await tree.stop();
    fs.writeFileSync(path.join(dir, 'gitops/apps/a.yaml'), 'a: 4\n');
    await quiet();
    expect(seen).toEqual([]);
  });

  it('watches only the parts it is told to, naming paths from the folder root', async () => {
    await tree.stop();
    fs.mkdirSync(path.join(dir, 'node_modules/pkg'), { recursive: true });
    const parts = new LocalTreeProvider(dir, {
      debounceMs: DEBOUNCE_MS,
      watchPaths: ['gitops'],
    });
    const got: TreeSnapshot[] = [];
    parts.subscribe(s => got.push(s));
    await parts.start();
    try {
      fs.writeFileSync(path.join(dir, 'node_modules/pkg/index.js'), '1\n');
      await quiet();
      expect(got).toEqual([]);
      fs.writeFileSync(path.join(dir, 'gitops/apps/a.yaml'), 'a: 5\n');
      await until(() => got.length > 0, 'a snapshot');
      expect([...got[0].changes!.paths]).toEqual(['gitops/apps/a.yaml']);
    } finally {
      await parts.stop();
    }
  });
});
