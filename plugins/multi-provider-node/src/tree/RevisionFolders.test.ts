import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { RevisionFolders } from './RevisionFolders';

let workDir: string;
beforeEach(async () => {
  workDir = await fs.mkdtemp(path.join(os.tmpdir(), 'revision-folders-'));
});
afterEach(async () => {
  await fs.rm(workDir, { recursive: true, force: true });
});

const folders = (keep?: number) =>
  new RevisionFolders({
    workDir,
    keep,
    isRevision: n => n.startsWith('rev-'),
    owner: 'test tree',
  });

/** Extracts a revision the way a provider does: into a partial folder, then into place. */
async function extract(f: RevisionFolders, name: string, content = name) {
  const partial = await f.partial();
  await fs.writeFile(path.join(partial, 'file'), content);
  return await f.place(partial, name);
}

const listing = async () => (await fs.readdir(workDir)).sort();

describe('RevisionFolders', () => {
  it('keeps the current and the previous revision, and nothing it does not own is touched', async () => {
    const f = folders();
    await fs.writeFile(path.join(workDir, 'notes.txt'), 'mine');
    for (const name of ['rev-1', 'rev-2', 'rev-3']) {
      await extract(f, name);
      await f.use(name);
    }
    expect(await listing()).toEqual(['notes.txt', 'rev-2', 'rev-3']);
    // Going back to a kept revision makes it current: the next one replaces the other.
    await f.use('rev-2');
    await extract(f, 'rev-4');
    await f.use('rev-4');
    expect(await listing()).toEqual(['notes.txt', 'rev-2', 'rev-4']);
  });

  it('after a restart, orders the revisions found on disk by their last use', async () => {
    const before = folders();
    await extract(before, 'rev-old');
    await before.use('rev-old');
    await extract(before, 'rev-new');
    await before.use('rev-new');
    const past = new Date(Date.now() - 60_000);
    await fs.utimes(path.join(workDir, 'rev-old'), past, past);
    const after = folders();
    await extract(after, 'rev-next');
    await after.use('rev-next');
    expect(await listing()).toEqual(['rev-new', 'rev-next']);
  });

  it('places a revision already on disk by keeping the one there', async () => {
    const f = folders();
    const first = await extract(f, 'rev-1', 'first');
    const again = await extract(f, 'rev-1', 'second');
    expect(again).toBe(first);
    expect(await fs.readFile(path.join(first, 'file'), 'utf8')).toBe('first');
    expect(await listing()).toEqual(['rev-1']);
  });

  it('removes partial folders left behind, unless an extraction is running', async () => {
    const f = folders();
    const left = await f.partial();
    await extract(f, 'rev-1');
    await f.use('rev-1', { extracting: true });
    expect(await listing()).toContain(path.basename(left));
    await f.use('rev-1');
    expect(await listing()).toEqual(['rev-1']);
  });

  it('removeAll removes revisions and partial folders only', async () => {
    const f = folders();
    await extract(f, 'rev-1');
    await f.use('rev-1');
    await f.partial();
    await fs.writeFile(path.join(workDir, 'notes.txt'), 'mine');
    await f.removeAll();
    expect(await listing()).toEqual(['notes.txt']);
  });

  it('refuses a keep below one, naming the owner', () => {
    expect(() => folders(0)).toThrow(
      'test tree: keep must be an integer of at least 1, got 0',
    );
  });
});
