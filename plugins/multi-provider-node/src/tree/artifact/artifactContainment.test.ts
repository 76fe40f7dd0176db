import fc from 'fast-check';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ArtifactFetchError } from './ArtifactFetchError';
import { fetchArtifact } from './fetchArtifact';
import { normalizeEntryPath } from './entryPath';
import {
  type ArtifactServer,
  startArtifactServer,
} from './__testUtils__/artifactServer';
import { sha256Digest, targz, type TarSpec } from './__testUtils__/tarBytes';

/**
 * Property: whatever entry paths and types an artifact holds, fetching it writes nothing outside
 * the target folder; a refused artifact leaves the target folder empty; an accepted one holds
 * exactly its files, at their normalised paths, and no symbolic link.
 */

jest.setTimeout(300_000);

let server: ArtifactServer;
beforeAll(async () => {
  server = await startArtifactServer();
});
afterAll(async () => {
  await server.close();
});

// Mostly ordinary names, so many archives are accepted and their contents checked; the hostile
// atoms appear often enough that most runs also hold one.
const hostileSegment = fc.constantFrom(
  '..',
  '.',
  '',
  'C:',
  '~',
  '\\..',
  '..\\a',
  ' ',
  'ä',
);
const segment = fc.oneof(
  { weight: 12, arbitrary: fc.stringMatching(/^[a-z]{1,6}(\.yaml)?$/) },
  { weight: 1, arbitrary: hostileSegment },
);
const entryPath = fc
  .tuple(
    fc.oneof(
      { weight: 15, arbitrary: fc.constant('') },
      { weight: 1, arbitrary: fc.constantFrom('/', './', '../') },
    ),
    fc.array(segment, { minLength: 1, maxLength: 5 }),
  )
  .map(([lead, segments]) => `${lead}${segments.join('/')}`);
const entry: fc.Arbitrary<TarSpec> = fc.record({
  path: entryPath,
  type: fc.oneof(
    { weight: 12, arbitrary: fc.constant<TarSpec['type']>('file') },
    { weight: 2, arbitrary: fc.constant<TarSpec['type']>('dir') },
    { weight: 1, arbitrary: fc.constant<TarSpec['type']>('symlink') },
    { weight: 1, arbitrary: fc.constant<TarSpec['type']>('hardlink') },
  ),
  content: fc.constantFrom('x', 'kind: ConfigMap\n', ''),
  linkpath: fc.constantFrom('../../..', '/etc/passwd', 'a'),
});

async function walk(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { recursive: true });
  return entries.map(e => e.split(path.sep).join('/')).sort();
}

describe('artifact containment', () => {
  it('nothing ever lands outside the target folder', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(entry, { minLength: 1, maxLength: 6 }),
        async specs => {
          run += 1;
          const root = await fs.mkdtemp(
            path.join(os.tmpdir(), 'artifact-prop-'),
          );
          try {
            // Three levels of folders above the target: a climbing path lands inside `root`.
            const targetDir = path.join(root, 'x', 'y', 'target');
            const specsWithLinks = specs.map(s =>
              s.type === 'symlink' || s.type === 'hardlink'
                ? s
                : { ...s, linkpath: undefined },
            );
            const body = targz(specsWithLinks);
            const url = server.serve(`/prop/${run}.tar.gz`, { body });
            const result = await fetchArtifact({
              url,
              digest: sha256Digest(body),
              targetDir,
            }).catch((e: unknown) => e);

            const violations: string[] = [];
            for (const p of await walk(root)) {
              const inside =
                p === 'x' ||
                p === 'x/y' ||
                p === 'x/y/target' ||
                p.startsWith('x/y/target/');
              if (!inside) violations.push(`outside the target: ${p}`);
            }
            if (result instanceof ArtifactFetchError) {
              for (const p of await walk(targetDir)) {
                violations.push(`left behind by a refusal: ${p}`);
              }
            } else if (result instanceof Error) {
              violations.push(`not an ArtifactFetchError: ${result.message}`);
            } else {
              const fetched = result as Awaited<
                ReturnType<typeof fetchArtifact>
              >;
              const files = new Set(
                specsWithLinks
                  .filter(s => s.type === 'file')
                  .map(s =>
                    normalizeEntryPath(s.path, {
                      pathBytes: 1024,
                      pathDepth: 32,
                    }),
                  ),
              );
              const written = await walk(fetched.dir);
              for (const p of written) {
                const stat = await fs.lstat(path.join(fetched.dir, p));
                if (stat.isSymbolicLink()) violations.push(`a link: ${p}`);
                if (stat.isFile() && !files.has(p)) {
                  violations.push(`a file the archive did not hold: ${p}`);
                }
              }
              for (const f of files) {
                if (!written.includes(f!)) violations.push(`missing: ${f}`);
              }
            }
            expect(violations).toEqual([]);
          } finally {
            await fs.rm(root, { recursive: true, force: true });
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
