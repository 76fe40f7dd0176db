import fc from 'fast-check';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { ChangeSet } from '../lib/ChangeSet';
import { resolveWorkspacePath } from '../lib/safePath';
import {
  copyWorkspace,
  hashTree,
  mockContext,
  REPO_ROOT,
} from '../__testUtils__/workspace';
import { createActions } from '.';
import { BRANCH } from './gitCommit';

// These tests copy the tree and run the Go validator; the machine is shared.
jest.setTimeout(60_000);

// Security properties 1 (workspace containment) and 2 (inputs are data), for every action.

const actions = createActions({
  publish: 'local',
  defaultBranch: 'main',
  sourceTree: REPO_ROOT,
  validatorTimeoutSeconds: 120,
});
const action = (id: string) => actions.find(a => a.id === id)!;

const validWorkload = {
  name: 'notes',
  providers: ['hetzner', 'scaleway'],
  image: 'ghcr.io/cloudlab/notes:2.1.0',
  port: 3000,
  storage: { size: '10Gi' },
};

/** Strings a hostile user would type into a name or path field. */
const hostileStrings = fc.oneof(
  fc.constantFrom(
    '..',
    '../..',
    '../../etc',
    '/etc/passwd',
    '/tmp',
    '%2e%2e',
    '%2e%2e%2fetc',
    '..%2f..%2f',
    '\uff0e\uff0e',
    '\uff0e\uff0e\u2215etc',
    '\u2024\u2024',
    'a\u0000b',
    '..\\..\\windows',
    'C:\\Windows',
    'pihole/../../x',
    '${{ parameters.name }}',
    '---',
    'a\n---\nkind: Secret',
    '&anchor',
    '*alias',
    '!!binary',
    'x: y',
    '#comment',
    'é',
    'ＡＢＣ',
    'a'.repeat(300),
    '',
    ' ',
    'Name',
    '-lead',
    'trail-',
  ),
  fc.string({ maxLength: 80 }),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
);

let outside: string;
let ws: string;
beforeAll(() => {
  ws = copyWorkspace();
  outside = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudlab-outside-'));
  fs.writeFileSync(path.join(outside, 'keep.txt'), 'outside');
});
afterAll(() => {
  fs.rmSync(ws, { recursive: true, force: true });
  fs.rmSync(outside, { recursive: true, force: true });
});

describe('workspace containment', () => {
  it('resolveWorkspacePath refuses every escaping or non-ASCII path', async () => {
    await expect(
      fc.assert(
        // The property returns false (fast-check then shows the counterexample) rather than
        // asserting inside branches.
        fc.asyncProperty(hostileStrings, async p => {
          const outcome = await resolveWorkspacePath(ws, p, 'field').then(
            resolved => ({ resolved }),
            (error: Error) => ({ error }),
          );
          if ('error' in outcome)
            return outcome.error.message.includes('field');
          // Accepted: a plain ASCII child of the workspace.
          return (
            outcome.resolved.startsWith(ws + path.sep) &&
            /^[A-Za-z0-9._/-]+$/.test(p)
          );
        }),
        { numRuns: 300 },
      ),
    ).resolves.toBeUndefined();
  });

  it.each([
    ['cloudlab:workload:create', 'name', validWorkload],
    [
      'cloudlab:vault-secret:create',
      'workload',
      { workload: 'pihole', secretName: 'x' },
    ],
    [
      'cloudlab:vault-secret:create',
      'secretName',
      { workload: 'pihole', secretName: 'x' },
    ],
    ['cloudlab:tailscale:expose', 'workload', { workload: 'pihole' }],
    ['cloudlab:tailscale:expose', 'hostname', { workload: 'pihole' }],
    ['cloudlab:flux-kustomization:create', 'workload', { workload: 'pihole' }],
    [
      'cloudlab:catalog-entry:create',
      'workload',
      { workload: 'pihole', owner: 'group:default/platform-team' },
    ],
    [
      'cloudlab:catalog-entry:create',
      'owner',
      { workload: 'pihole', owner: 'group:default/platform-team' },
    ],
    ['cloudlab:git:commit', 'branch', { message: 'm' }],
  ])(
    '%s refuses hostile %s with an error naming it, workspace unchanged',
    async (id, field, base) => {
      const valid =
        field === 'branch' ? BRANCH : /^[a-z0-9]([-a-z0-9]{0,38}[a-z0-9])?$/;
      const before = hashTree(ws);
      const outsideBefore = hashTree(outside);
      await fc.assert(
        fc.asyncProperty(
          hostileStrings.filter(s => !valid.test(s)),
          async value => {
            const { ctx } = mockContext(ws, { ...base, [field]: value });
            await expect(action(id).handler(ctx)).rejects.toThrow(field);
          },
        ),
        { numRuns: 60 },
      );
      expect(hashTree(ws)).toBe(before);
      expect(hashTree(outside)).toBe(outsideBefore);
    },
  );

  describe('symlinks in the workspace', () => {
    let local: string;
    beforeEach(() => {
      local = copyWorkspace();
    });
    afterEach(() => fs.rmSync(local, { recursive: true, force: true }));

    const expectRefused = async (
      id: string,
      input: Record<string, unknown>,
      message: RegExp,
    ) => {
      const before = hashTree(local);
      const outsideBefore = hashTree(outside);
      await expect(
        action(id).handler(mockContext(local, input).ctx),
      ).rejects.toThrow(message);
      expect(hashTree(local)).toBe(before);
      expect(hashTree(outside)).toBe(outsideBefore);
    };

    it('a directory symlink pointing outside', async () => {
      expect.hasAssertions();
      fs.rmSync(path.join(local, 'gitops/apps'), { recursive: true });
      fs.symlinkSync(outside, path.join(local, 'gitops/apps'));
      await expectRefused(
        'cloudlab:workload:create',
        validWorkload,
        /symlink pointing outside the workspace/,
      );
    });

    it('a symlink chain ending outside', async () => {
      expect.hasAssertions();
      fs.symlinkSync(outside, path.join(local, 'hop2'));
      fs.symlinkSync(path.join(local, 'hop2'), path.join(local, 'hop1'));
      fs.symlinkSync(
        path.join(local, 'hop1'),
        path.join(local, 'gitops/apps/notes'),
      );
      await expectRefused(
        'cloudlab:workload:create',
        validWorkload,
        /symlink pointing outside the workspace/,
      );
    });

    it('a dangling symlink', async () => {
      expect.hasAssertions();
      fs.symlinkSync(
        path.join(outside, 'missing'),
        path.join(local, 'gitops/apps/notes'),
      );
      await expectRefused(
        'cloudlab:workload:create',
        validWorkload,
        /dangling symlink/,
      );
    });

    it('a file symlink the action would edit', async () => {
      expect.hasAssertions();
      const file = path.join(
        local,
        'gitops/platform/vso/config/base/vaultauthglobal.yaml',
      );
      fs.copyFileSync(file, path.join(outside, 'vaultauthglobal.yaml'));
      fs.rmSync(file);
      fs.symlinkSync(path.join(outside, 'vaultauthglobal.yaml'), file);
      await expectRefused(
        'cloudlab:vault-secret:create',
        { workload: 'pihole', secretName: 'extra' },
        /is a symlink; refusing/,
      );
      fs.rmSync(path.join(outside, 'vaultauthglobal.yaml'));
    });

    it('a symlinked providers/ directory', async () => {
      expect.hasAssertions();
      fs.renameSync(
        path.join(local, 'providers'),
        path.join(outside, 'providers'),
      );
      fs.symlinkSync(
        path.join(outside, 'providers'),
        path.join(local, 'providers'),
      );
      try {
        await expectRefused(
          'cloudlab:workload:create',
          validWorkload,
          /providers/,
        );
      } finally {
        fs.rmSync(path.join(outside, 'providers'), {
          recursive: true,
          force: true,
        });
      }
    });
  });

  it('a failing apply leaves the workspace as it was', async () => {
    const local = copyWorkspace();
    try {
      const before = hashTree(local);
      const cs = new ChangeSet(local);
      await cs.write('gitops/apps/new/a.yaml', '---\na: 1\n');
      await cs.write(
        'gitops/apps/pihole/base/kustomization.yaml',
        '---\nchanged: true\n',
      );
      // Make the second write fail after the first succeeded: its target becomes a directory.
      await cs.write('gitops/apps/zzz/b.yaml', '---\nb: 1\n');
      fs.mkdirSync(path.join(local, 'gitops/apps/zzz/b.yaml'), {
        recursive: true,
      });
      const withDir = hashTree(local);
      await expect(cs.apply()).rejects.toThrow();
      expect(hashTree(local)).toBe(withDir);
      fs.rmSync(path.join(local, 'gitops/apps/zzz'), { recursive: true });
      expect(hashTree(local)).toBe(before);
    } finally {
      fs.rmSync(local, { recursive: true, force: true });
    }
  });
});

describe('inputs are data', () => {
  it('a free-text description round-trips as one scalar of one document', async () => {
    // A workload of our own, so no hand-written catalog entry is in the way.
    await action('cloudlab:workload:create').handler(
      mockContext(ws, { ...validWorkload, name: 'fuzzdesc' }).ctx,
    );
    await expect(
      fc.assert(
        fc.asyncProperty(
          fc.oneof(
            fc.constantFrom(
              '${{ secrets.token }}',
              '---\nkind: Secret',
              '&a [*a, *a]',
              '!!python/object:os.system',
              'key: value\n- item',
              '"\'`|>#%@',
              '...\n---',
            ),
            fc.string({ maxLength: 200 }),
            fc.string({ unit: 'grapheme', maxLength: 100 }),
          ),
          async description => {
            const local = ws;
            fs.rmSync(path.join(local, 'catalog'), { recursive: true });
            fs.cpSync(
              path.join(REPO_ROOT, 'catalog'),
              path.join(local, 'catalog'),
              { recursive: true },
            );
            {
              const before = hashTree(local);
              const { ctx } = mockContext(local, {
                workload: 'fuzzdesc',
                owner: 'group:default/platform-team',
                description,
              });
              const error = await action('cloudlab:catalog-entry:create')
                .handler(ctx)
                .then(
                  () => undefined,
                  (e: Error) => e,
                );
              if (error) {
                // Refused: the message names the field and nothing was written.
                return (
                  error.message.includes('description') &&
                  hashTree(local) === before
                );
              }
              const docs = parseAllDocuments(
                fs.readFileSync(
                  path.join(local, 'catalog/components/fuzzdesc.yaml'),
                  'utf8',
                ),
              );
              const entity = docs[0]?.toJS();
              return (
                docs.length === 1 &&
                docs[0].errors.length === 0 &&
                JSON.stringify(Object.keys(entity)) ===
                  JSON.stringify(['apiVersion', 'kind', 'metadata', 'spec']) &&
                (entity.metadata.description ?? '') === description
              );
            }
          },
        ),
        { numRuns: 60 },
      ),
    ).resolves.toBeUndefined();
  }, 60_000);
});
