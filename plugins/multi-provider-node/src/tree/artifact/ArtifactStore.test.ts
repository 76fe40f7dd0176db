import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ArtifactStore } from './ArtifactStore';
import {
  type ArtifactServer,
  startArtifactServer,
} from './__testUtils__/artifactServer';
import { sha256Digest, targz } from './__testUtils__/tarBytes';

let server: ArtifactServer;
let workDir: string;

beforeAll(async () => {
  server = await startArtifactServer();
});
afterAll(async () => {
  await server.close();
});
beforeEach(async () => {
  workDir = path.join(
    await fs.mkdtemp(path.join(os.tmpdir(), 'artifact-store-')),
    'source',
  );
});
afterEach(async () => {
  await fs.rm(path.dirname(workDir), { recursive: true, force: true });
});

let revision = 0;
/** A new revision of the tree served at its own path, as source-controller names artifacts. */
function publish(content: string) {
  revision += 1;
  const body = targz([{ path: 'clusters/lab/apps.yaml', content }]);
  const urlPath = `/gitrepository/flux-system/platform/${revision}.tar.gz`;
  return {
    url: server.serve(urlPath, { body }),
    digest: sha256Digest(body),
    requests: () => server.requests(urlPath),
    dirName: `sha256-${sha256Digest(body).slice('sha256:'.length)}`,
  };
}

describe('ArtifactStore', () => {
  it('reads a checkout through its LocalTreeSource', async () => {
    const store = new ArtifactStore({ workDir });
    const r1 = publish('one');
    const checkout = await store.checkout(r1);
    expect(checkout).toMatchObject({
      digest: r1.digest,
      dir: path.join(workDir, r1.dirName),
      downloaded: true,
    });
    expect(await checkout.source.readText('clusters/lab/apps.yaml')).toBe(
      'one',
    );
  });

  it('a second checkout of the same digest does no download, in this process or the next', async () => {
    const r1 = publish('one');
    const store = new ArtifactStore({ workDir });
    await store.checkout(r1);
    const again = await store.checkout(r1);
    expect(again.downloaded).toBe(false);
    const restarted = new ArtifactStore({ workDir });
    expect((await restarted.checkout(r1)).downloaded).toBe(false);
    expect(r1.requests()).toBe(1);
  });

  it('concurrent checkouts of one digest share one download', async () => {
    const r1 = publish('one');
    const store = new ArtifactStore({ workDir });
    const all = await Promise.all([
      store.checkout(r1),
      store.checkout(r1),
      store.checkout(r1),
    ]);
    expect(new Set(all.map(c => c.dir)).size).toBe(1);
    expect(r1.requests()).toBe(1);
  });

  it('keeps the current and the previous revision and removes older ones', async () => {
    const store = new ArtifactStore({ workDir });
    const [r1, r2, r3] = [publish('one'), publish('two'), publish('three')];
    await store.checkout(r1);
    await store.checkout(r2);
    expect((await fs.readdir(workDir)).sort()).toEqual(
      [r1.dirName, r2.dirName].sort(),
    );
    await store.checkout(r3);
    expect((await fs.readdir(workDir)).sort()).toEqual(
      [r2.dirName, r3.dirName].sort(),
    );
    // Going back to a kept revision makes it current again; the one before it stays.
    await store.checkout(r2);
    await store.checkout(publish('four'));
    expect(await fs.readdir(workDir)).toContain(r2.dirName);
    expect(await fs.readdir(workDir)).not.toContain(r3.dirName);
  });

  it('removes partial folders a stopped process left behind', async () => {
    await fs.mkdir(path.join(workDir, '.partial-abc123', 'clusters'), {
      recursive: true,
    });
    const store = new ArtifactStore({ workDir });
    const r1 = publish('one');
    await store.checkout(r1);
    expect(await fs.readdir(workDir)).toEqual([r1.dirName]);
  });

  it('a refused artifact leaves the kept revisions in place', async () => {
    const store = new ArtifactStore({ workDir });
    const r1 = publish('one');
    await store.checkout(r1);
    await expect(
      store.checkout({
        url: r1.url,
        digest: sha256Digest(Buffer.from('other')),
      }),
    ).rejects.toThrow(/digest mismatch/);
    expect(await fs.readdir(workDir)).toEqual([r1.dirName]);
  });

  it('refuses a keep below one', () => {
    expect(() => new ArtifactStore({ workDir, keep: 0 })).toThrow(
      /keep must be an integer of at least 1/,
    );
  });
});
