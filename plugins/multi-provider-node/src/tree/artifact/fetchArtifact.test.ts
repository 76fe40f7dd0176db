import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { LocalTreeSource } from '../TreeSource';
import { readTreeManifest } from '../treeManifest';
import { ArtifactFetchError } from './ArtifactFetchError';
import { fetchArtifact } from './fetchArtifact';
import {
  type ArtifactServer,
  startArtifactServer,
} from './__testUtils__/artifactServer';
import {
  END_OF_ARCHIVE,
  gzipBomb,
  sha256Digest,
  tarBytes,
  tarEntryBytes,
  targz,
  type TarSpec,
} from './__testUtils__/tarBytes';

jest.setTimeout(60_000);

let server: ArtifactServer;
let root: string;
let targetDir: string;
let outside: string;

beforeAll(async () => {
  server = await startArtifactServer();
});
afterAll(async () => {
  await server.close();
});
beforeEach(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'artifact-test-'));
  // The target sits three levels down, so a path climbing out of it lands inside `root`.
  targetDir = path.join(root, 'a', 'b', 'target');
  outside = path.join(root, 'a', 'b', 'outside');
  await fs.mkdir(outside, { recursive: true });
  await fs.writeFile(path.join(outside, 'canary'), 'untouched');
});
afterEach(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

/** Every file and folder under `dir`, relative, sorted. */
async function listTree(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { recursive: true }).catch(() => []);
  return entries.map(e => e.split(path.sep).join('/')).sort();
}

let routeCounter = 0;
function serve(body: Buffer, extra?: { headers?: Record<string, string> }) {
  routeCounter += 1;
  return server.serve(
    `/gitrepository/flux-system/repo-${routeCounter}.tar.gz`,
    {
      body,
      ...extra,
    },
  );
}

async function refusal(
  body: Buffer,
  options: {
    digest?: string;
    limits?: Parameters<typeof fetchArtifact>[0]['limits'];
  } = {},
): Promise<ArtifactFetchError> {
  const url = serve(body);
  const error = await fetchArtifact({
    url,
    digest: options.digest ?? sha256Digest(body),
    targetDir,
    limits: options.limits,
  }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ArtifactFetchError);
  const e = error as ArtifactFetchError;
  expect(e.url).toBe(url);
  expect(e.message).toContain(url);
  // Nothing left behind, nothing written beside the target.
  expect(await listTree(targetDir)).toEqual([]);
  expect(await listTree(root)).toEqual([
    'a',
    'a/b',
    'a/b/outside',
    'a/b/outside/canary',
    'a/b/target',
  ]);
  expect(await fs.readFile(path.join(outside, 'canary'), 'utf8')).toBe(
    'untouched',
  );
  return e;
}

describe('fetchArtifact: a valid artifact', () => {
  it('extracts nested folders and a large file, and reads as a LocalTreeSource', async () => {
    const large = randomBytes(6 * 1024 * 1024);
    const longDir = `apps/${'very-long-folder-name-'.repeat(4)}`;
    const entries: TarSpec[] = [
      { path: './', type: 'dir' },
      { path: './clusters/', type: 'dir' },
      { path: './clusters/lab/apps.yaml', content: 'kind: Kustomization\n' },
      { path: 'apps/web/base/deployment.yaml', content: 'kind: Deployment\n' },
      { path: 'apps/web/large.bin', content: large },
      { path: `${longDir}/pax.yaml`, content: 'pax: true\n', longPath: 'pax' },
      { path: `${longDir}/gnu.yaml`, content: 'gnu: true\n', longPath: 'gnu' },
      {
        path: `${longDir}/ustar.yaml`,
        content: 'ustar: true\n',
        longPath: 'ustar-prefix',
      },
      { path: 'empty.yaml', content: '' },
    ];
    const body = targz(entries);
    const url = serve(body);
    const fetched = await fetchArtifact({
      url,
      digest: sha256Digest(body),
      targetDir,
    });
    const hex = sha256Digest(body).slice('sha256:'.length);
    expect(fetched).toEqual({
      dir: path.join(targetDir, `sha256-${hex}`),
      digest: `sha256:${hex}`,
      files: 7,
      bytes:
        large.length +
        'kind: Kustomization\n'.length +
        'kind: Deployment\n'.length +
        'pax: true\n'.length +
        'gnu: true\n'.length +
        'ustar: true\n'.length,
      skippedSymlinks: [],
      manifest: expect.any(Map),
    });
    // Recorded while writing: what reading the extracted files back gives.
    expect(fetched.manifest).toEqual(await readTreeManifest(fetched.dir));
    expect(fetched.manifest?.size).toBe(7);
    expect(await listTree(targetDir)).toEqual(
      [
        `sha256-${hex}`,
        ...[
          'apps',
          'apps/web',
          'apps/web/base',
          'apps/web/base/deployment.yaml',
          'apps/web/large.bin',
          longDir,
          `${longDir}/gnu.yaml`,
          `${longDir}/pax.yaml`,
          `${longDir}/ustar.yaml`,
          'clusters',
          'clusters/lab',
          'clusters/lab/apps.yaml',
          'empty.yaml',
        ].map(p => `sha256-${hex}/${p}`),
      ].sort(),
    );
    const written = await fs.readFile(
      path.join(fetched.dir, 'apps/web/large.bin'),
    );
    expect(createHash('sha256').update(written).digest('hex')).toBe(
      createHash('sha256').update(large).digest('hex'),
    );
    const tree = new LocalTreeSource(fetched.dir);
    expect(await tree.readText(`${longDir}/ustar.yaml`)).toBe('ustar: true\n');
    expect(await tree.readText('clusters/lab/apps.yaml')).toBe(
      'kind: Kustomization\n',
    );
  });

  it('verifies sha384 and sha512 digests, in either case', async () => {
    const body = targz([{ path: 'a.yaml', content: 'a: 1\n' }]);
    for (const algorithm of ['sha384', 'sha512'] as const) {
      const hex = createHash(algorithm).update(body).digest('hex');
      const fetched = await fetchArtifact({
        url: serve(body),
        digest: `${algorithm.toUpperCase()}:${hex.toUpperCase()}`,
        targetDir,
      });
      expect(fetched.digest).toBe(`${algorithm}:${hex}`);
      expect(fetched.dir).toBe(path.join(targetDir, `${algorithm}-${hex}`));
    }
  });

  it('skips symbolic links as Flux does, without creating them, and keeps the files beside them', async () => {
    const body = targz([
      { path: 'link-out', type: 'symlink', linkpath: '/etc' },
      { path: 'up', type: 'symlink', linkpath: '../../outside' },
      // A file "through" a skipped link lands in a real folder inside the extraction.
      { path: 'up/canary', content: 'overwritten?' },
      { path: 'app.yaml', content: 'a: 1\n' },
    ]);
    const fetched = await fetchArtifact({
      url: serve(body),
      digest: sha256Digest(body),
      targetDir,
    });
    expect(fetched.skippedSymlinks).toEqual(['link-out', 'up']);
    expect((await fs.lstat(path.join(fetched.dir, 'up'))).isDirectory()).toBe(
      true,
    );
    expect(await fs.readFile(path.join(outside, 'canary'), 'utf8')).toBe(
      'untouched',
    );
    for (const p of await listTree(fetched.dir)) {
      expect((await fs.lstat(path.join(fetched.dir, p))).isSymbolicLink()).toBe(
        false,
      );
    }
  });
});

describe('fetchArtifact: hostile archives are refused whole', () => {
  const file = { path: 'ok.yaml', content: 'ok: true\n' };

  it.each<[string, TarSpec, RegExp]>([
    [
      'an absolute path',
      { path: '/etc/cron.d/x', content: 'x' },
      /is absolute/,
    ],
    [
      'a .. traversal',
      { path: '../outside/canary', content: 'x' },
      /"\.\." segment/,
    ],
    [
      'a .. inside the path',
      { path: 'a/../../outside/x', content: 'x' },
      /"\.\." segment/,
    ],
    ['a backslash', { path: '..\\outside\\x', content: 'x' }, /backslash/],
    ['a drive letter', { path: 'C:/x', content: 'x' }, /drive letter/],
    [
      'a PAX path that climbs out',
      { path: 'innocent.yaml', content: 'x', pax: { path: '../../x' } },
      /"\.\." segment/,
    ],
    [
      'a GNU long name that climbs out',
      { path: `${'../'.repeat(40)}x`, content: 'x', longPath: 'gnu' },
      /"\.\." segment/,
    ],
    [
      'a hard link',
      { path: 'hard', type: 'hardlink', linkpath: 'ok.yaml' },
      /hardlink/,
    ],
    ['a character device', { path: 'tty', type: 'char' }, /character device/],
    ['a block device', { path: 'sda', type: 'block' }, /block device/],
    ['a fifo', { path: 'pipe', type: 'fifo' }, /fifo/],
    [
      'an unknown entry type',
      { path: 'sparse', type: { flag: 'S' }, content: 'x' },
      /type "S"/,
    ],
    [
      'a header with a bad checksum',
      { path: 'x.yaml', content: 'x', badChecksum: true },
      /checksum/,
    ],
  ])('%s', async (_name, spec, reason) => {
    const e = await refusal(
      targz([
        file,
        spec,
        file.path === spec.path ? file : { ...file, path: 'later.yaml' },
      ]),
    );
    expect(e.code).toBe('hostile');
    expect(e.message).toMatch(reason);
  });

  it('names the entry in the error', async () => {
    const e = await refusal(
      targz([file, { path: '../escape.yaml', content: 'x' }]),
    );
    expect(e.entry).toBe('../escape.yaml');
    expect(e.message).toContain('entry "../escape.yaml"');
  });

  it('a duplicate path', async () => {
    const e = await refusal(
      targz([
        file,
        { path: 'dup.yaml', content: 'one' },
        { path: './dup.yaml', content: 'two' },
      ]),
    );
    expect(e.message).toMatch(/appears twice/);
    expect(e.entry).toBe('./dup.yaml');
  });

  it('a file where the archive needs a folder, and a folder over a file', async () => {
    expect(
      (
        await refusal(
          targz([
            { path: 'a', content: 'file' },
            { path: 'a/b.yaml', content: 'x' },
          ]),
        )
      ).message,
    ).toMatch(/goes through "a", which is a file/);
    expect(
      (
        await refusal(
          targz([
            { path: 'a', content: 'file' },
            { path: 'a/', type: 'dir' },
          ]),
        )
      ).message,
    ).toMatch(/as a file and a directory/);
  });

  it('a file over the per-file limit, before writing any of it', async () => {
    const e = await refusal(
      targz([file, { path: 'big.bin', content: Buffer.alloc(2048, 1) }]),
      { limits: { fileBytes: 1024 } },
    );
    expect(e.code).toBe('limit');
    expect(e.message).toMatch(
      /entry "big\.bin".*2048 bytes, over the per-file limit fileBytes=1024/,
    );
  });

  it('more files than the file limit', async () => {
    const e = await refusal(
      targz([1, 2, 3].map(i => ({ path: `f${i}.yaml`, content: 'x' }))),
      { limits: { files: 2 } },
    );
    expect(e.code).toBe('limit');
    expect(e.message).toMatch(/more than files=2 files/);
    expect(e.entry).toBe('f3.yaml');
  });

  it('paths over the length and depth limits', async () => {
    const long = await refusal(
      targz([{ path: `${'x'.repeat(60)}.yaml`, content: 'x' }]),
      {
        limits: { pathBytes: 50 },
      },
    );
    expect(long.message).toMatch(/65 bytes, over the limit pathBytes=50/);
    const deep = await refusal(
      targz([{ path: 'a/b/c/d/e.yaml', content: 'x' }]),
      {
        limits: { pathDepth: 4 },
      },
    );
    expect(deep.message).toMatch(/5 levels deep, over the limit pathDepth=4/);
  });

  it('a gzip bomb, stopped by the uncompressed limit while streaming with memory bounded', async () => {
    // 1 GiB of zeros after a valid archive: about a megabyte on the wire.
    const body = await gzipBomb([file], 1024 * 1024 * 1024);
    expect(body.length).toBeLessThan(2 * 1024 * 1024);
    const before = process.memoryUsage();
    let peak = 0;
    const sampler = setInterval(() => {
      const now = process.memoryUsage();
      peak = Math.max(
        peak,
        now.heapUsed + now.arrayBuffers - before.heapUsed - before.arrayBuffers,
      );
    }, 5);
    try {
      // 512 MiB are streamed before the limit stops it: memory holding them would show.
      const e = await refusal(body, {
        limits: { uncompressedBytes: 512 * 1024 * 1024 },
      });
      expect(e.code).toBe('limit');
      expect(e.message).toMatch(
        /unpacks to more than uncompressedBytes=536870912 bytes/,
      );
    } finally {
      clearInterval(sampler);
    }
    // Uncollected garbage counts here too, so the bound is loose, but far below what streamed.
    expect(peak).toBeLessThan(160 * 1024 * 1024);
  });

  it('files declaring more than the uncompressed limit, refused at the header', async () => {
    // The header claims 5000 bytes that never follow: only a check at the header names the limit.
    const e = await refusal(
      targz([file, { path: 'claims.bin', content: 'x', declaredSize: 5000 }]),
      { limits: { uncompressedBytes: 4096 } },
    );
    expect(e.message).toMatch(
      /entry "claims\.bin": the files reach 5009 bytes, over the limit uncompressedBytes=4096/,
    );
  });

  it('a header claiming a huge file is refused at the header, not after streaming', async () => {
    const e = await refusal(
      targz([
        file,
        { path: 'huge.bin', content: 'x', declaredSize: 1024 ** 3 },
      ]),
    );
    expect(e.code).toBe('limit');
    expect(e.message).toMatch(
      /entry "huge\.bin": entry is 1073741824 bytes, over the per-file limit fileBytes=10485760/,
    );
  });

  it('a download over the compressed limit', async () => {
    const e = await refusal(
      targz([{ path: 'r.bin', content: randomBytes(4096) }]),
      {
        limits: { compressedBytes: 1024 },
      },
    );
    expect(e.code).toBe('limit');
    expect(e.message).toMatch(/compressedBytes=1024/);
  });
});

describe('fetchArtifact: incomplete or wrong downloads', () => {
  const archive = targz([
    { path: 'a.yaml', content: 'a: 1\n' },
    { path: 'b.bin', content: randomBytes(20_000) },
  ]);

  it('a digest mismatch', async () => {
    const other = sha256Digest(Buffer.from('another revision'));
    const e = await refusal(archive, { digest: other });
    expect(e.code).toBe('digest');
    expect(e.message).toContain(`expected ${other}`);
    expect(e.message).toContain(sha256Digest(archive));
  });

  it('a gzip stream cut short (digest of the cut bytes, so only completeness can catch it)', async () => {
    const cut = archive.subarray(0, archive.length - 100);
    const e = await refusal(cut);
    expect(e.code).toBe('truncated');
    expect(e.message).toMatch(/gzip stream is truncated/);
  });

  it('a tar cut inside a file, in a complete gzip stream', async () => {
    const tar = tarBytes(
      [
        { path: 'a.yaml', content: 'a: 1\n' },
        { path: 'b.bin', content: Buffer.alloc(5000, 7) },
      ],
      {
        end: false,
      },
    );
    const e = await refusal(gzipSync(tar.subarray(0, tar.length - 2048)));
    expect(e.code).toBe('truncated');
    expect(e.message).toMatch(/"b\.bin" has \d+ of its 5000 bytes/);
  });

  it('a tar without its end-of-archive marker', async () => {
    const e = await refusal(
      gzipSync(tarEntryBytes({ path: 'a.yaml', content: 'a: 1\n' })),
    );
    expect(e.code).toBe('truncated');
    expect(e.message).toMatch(
      /ends after "a\.yaml" without the end-of-archive marker/,
    );
    const half = await refusal(
      gzipSync(
        Buffer.concat([
          tarEntryBytes({ path: 'a.yaml', content: 'a' }),
          END_OF_ARCHIVE.subarray(512),
        ]),
      ),
    );
    expect(half.message).toMatch(/end-of-archive marker is cut short/);
  });

  it('not a gzip stream', async () => {
    const e = await refusal(tarBytes([{ path: 'a.yaml', content: 'a' }]));
    expect(e.code).toBe('hostile');
    expect(e.message).toMatch(/not a valid gzip stream/);
  });

  it('an HTTP error names the status and the URL', async () => {
    const url = server.url('/gitrepository/flux-system/missing.tar.gz');
    const e = (await fetchArtifact({
      url,
      digest: sha256Digest(archive),
      targetDir,
    }).catch(err => err)) as ArtifactFetchError;
    expect(e.code).toBe('http');
    expect(e.message).toBe(`artifact ${url}: HTTP 404 Not Found`);
    expect(await listTree(targetDir)).toEqual([]);
  });

  it('a server that stalls times out', async () => {
    const url = server.serve('/stalls.tar.gz', { hang: true });
    const e = (await fetchArtifact({
      url,
      digest: sha256Digest(archive),
      targetDir,
      limits: { timeoutMs: 300 },
    }).catch(err => err)) as ArtifactFetchError;
    expect(e.code).toBe('timeout');
    expect(e.message).toBe(
      `artifact ${url}: not complete within timeoutMs=300`,
    );
    expect(await listTree(targetDir)).toEqual([]);
  });

  it('an abort from the caller', async () => {
    const url = server.serve('/stalls-too.tar.gz', { hang: true });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const e = (await fetchArtifact({
      url,
      digest: sha256Digest(archive),
      targetDir,
      signal: controller.signal,
    }).catch(err => err)) as ArtifactFetchError;
    expect(e.code).toBe('aborted');
    expect(await listTree(targetDir)).toEqual([]);
  });

  it('an algorithm that cannot be verified is refused by name, before any request', async () => {
    const url = serve(archive);
    const path0 = new URL(url).pathname;
    const e = (await fetchArtifact({
      url,
      digest: `blake3:${'ab'.repeat(32)}`,
      targetDir,
    }).catch(err => err)) as ArtifactFetchError;
    expect(e.code).toBe('unsupported-digest');
    expect(e.message).toMatch(
      /digest algorithm "blake3" is not supported: only sha256, sha384, sha512/,
    );
    expect(server.requests(path0)).toBe(0);
    const short = (await fetchArtifact({
      url,
      digest: 'sha256:abc',
      targetDir,
    }).catch(err => err)) as ArtifactFetchError;
    expect(short.message).toMatch(/a sha256 digest is 64 hex characters/);
  });

  it('limits that are not positive integers are refused by name', async () => {
    await expect(
      fetchArtifact({
        url: serve(archive),
        digest: sha256Digest(archive),
        targetDir,
        limits: { fileBytes: -1 },
      }),
    ).rejects.toThrow(/artifact limits: fileBytes/);
  });
});
