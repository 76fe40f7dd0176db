import fc from 'fast-check';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { hashTree, mockContext, REPO_ROOT } from '../__testUtils__/workspace';
import {
  applyHostileTree,
  hostileStrings,
  hostileTree,
} from '../__testUtils__/hostile';
import {
  isOwnTemp,
  reachedPath,
  recordFs,
  Touch,
  within,
} from '../__testUtils__/fsRecorder';
import {
  BASE,
  copyTree,
  makeLocalRepository,
  prepareTree,
  setAt,
  stringLeaves,
  testActions,
} from '../__testUtils__/actionInputs';

/**
 * Security property 1 (workspace containment, docs/security.md), for every action the module registers:
 * fast-check generates the hostile filesystem (real temporary directories where inputs and
 * targets are replaced by symlinks to a directory or a file outside, chains of links ending
 * outside, dangling links, loops) together with hostile strings (`..`, absolute,
 * percent-encoded, Unicode) in the action's string inputs. For each run:
 * - writes and deletes: a canary directory outside (holding what the links point to) hashes
 *   the same before and after;
 * - reads: every path the action hands to `fs` / `fs/promises` is recorded and the real path
 *   it reaches must be inside the workspace (or a private temporary directory the action made);
 * - subprocesses (git, the validator): at the moment one is started, the tree it is given
 *   holds no link leading outside the workspace;
 * - a refused run names the field or the rule and leaves the workspace unchanged; a dry run
 *   never changes it.
 */

jest.setTimeout(300_000);

// Subprocess trees seen by the recorder below (mock-prefixed: used inside jest.mock factories).
const mockSubprocessTrees: string[] = [];

jest.mock('../lib/validator', () => {
  const actual = jest.requireActual('../lib/validator');
  return {
    ...actual,
    // The validator itself is proven elsewhere; here only the tree it would read matters.
    validateTree: jest.fn(async (opts: { treeRoot: string }) => {
      mockSubprocessTrees.push(opts.treeRoot);
      return { ok: true, findings: [], output: '', durationMs: 0 };
    }),
  };
});
jest.mock('../lib/git', () => {
  const actual = jest.requireActual('../lib/git');
  return {
    ...actual,
    git: jest.fn((args: string[], opts: { cwd?: string } = {}) => {
      const wt = args.indexOf('--work-tree');
      if (wt >= 0) mockSubprocessTrees.push(args[wt + 1]);
      if (opts.cwd) mockSubprocessTrees.push(opts.cwd);
      return actual.git(args, opts);
    }),
  };
});

const tmp = fs.realpathSync(os.tmpdir());
let repository: string;
let prepared: string;
beforeAll(async () => {
  repository = makeLocalRepository();
  prepared = await prepareTree(repository);
});
afterAll(() => {
  fs.rmSync(repository, { recursive: true, force: true });
  fs.rmSync(prepared, { recursive: true, force: true });
});

const actions = () => testActions(repository);

/** Links under `root` (not descending into links) whose target resolves outside `ws`. */
function escapingLinks(root: string, ws: string): string[] {
  const found: string[] = [];
  const walk = (d: string) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(d, e.name);
      if (e.isSymbolicLink()) {
        if (!within(ws, reachedPath(p, true))) found.push(p);
      } else if (e.isDirectory()) walk(p);
    }
  };
  walk(root);
  return found;
}

describe('workspace containment over generated hostile filesystems', () => {
  const all = actions();
  it('covers every registered action', () => {
    expect(all.map(a => a.id).sort()).toEqual(Object.keys(BASE).sort());
  });

  it.each(Object.keys(BASE))(
    '%s reads, writes and deletes nothing outside the workspace',
    async id => {
      const action = actions().find(a => a.id === id)!;
      const leaves = stringLeaves(BASE[id]);
      const substitution =
        leaves.length === 0
          ? fc.constant(undefined)
          : fc.option(
              fc.record({
                leaf: fc.constantFrom(...leaves.map(l => l[0])),
                value: hostileStrings,
              }),
              { freq: 2 },
            );
      const failures: string[] = [];
      let refused = 0;
      let accepted = 0;
      await fc
        .assert(
          fc.asyncProperty(
            hostileTree,
            substitution,
            fc.boolean(),
            async (mutations, sub, isDryRun) => {
              const ws = copyTree(prepared);
              const outside = fs.mkdtempSync(
                path.join(tmp, 'cloudlab-outside-'),
              );
              try {
                fs.writeFileSync(path.join(outside, 'canary.txt'), 'canary');
                applyHostileTree(ws, outside, mutations);
                const input = sub
                  ? setAt(BASE[id], sub.leaf, sub.value)
                  : BASE[id];
                const wsBefore = hashTree(ws);
                const outsideBefore = hashTree(outside);
                mockSubprocessTrees.length = 0;
                const { ctx } = mockContext(ws, input, isDryRun);
                const { error, touches, temps } = await recordFs(() =>
                  action.handler(ctx),
                );
                const problems: string[] = [];
                const allowed = (t: Touch) =>
                  within(ws, t.real) ||
                  isOwnTemp(temps, t.real) ||
                  ((t.method === 'mkdtemp' || t.method === 'mkdtempSync') &&
                    path.dirname(t.real) === tmp) ||
                  within(repository, t.real) ||
                  within(path.join(REPO_ROOT, '.cache'), t.real) ||
                  within(path.join(REPO_ROOT, 'node_modules'), t.real);
                for (const t of touches.filter(x => !allowed(x)))
                  problems.push(`${t.method}(${t.path}) reached ${t.real}`);
                for (const tree of mockSubprocessTrees) {
                  for (const l of escapingLinks(tree, ws))
                    problems.push(
                      `subprocess given a tree with ${l} leading out`,
                    );
                }
                if (hashTree(outside) !== outsideBefore)
                  problems.push('the directory outside changed');
                if (error) {
                  refused++;
                  if (hashTree(ws) !== wsBefore)
                    problems.push(
                      `refused (${error.message}) but changed the workspace`,
                    );
                  const named =
                    (sub && error.message.includes(String(sub.leaf.at(-1)))) ||
                    /symlink|outside the workspace|provider registry|[a-zA-Z.]+: /.test(
                      error.message,
                    );
                  if (!named || /^E[A-Z]+: /.test(error.message))
                    problems.push(`unclear error: ${error.message}`);
                } else {
                  accepted++;
                  if (isDryRun && hashTree(ws) !== wsBefore)
                    problems.push('a dry run changed the workspace');
                }
                if (problems.length) {
                  failures.push(
                    `${JSON.stringify({
                      mutations,
                      sub,
                      isDryRun,
                    })}: ${problems.join('; ')}`,
                  );
                  return false;
                }
                return true;
              } finally {
                fs.rmSync(ws, { recursive: true, force: true });
                fs.rmSync(outside, { recursive: true, force: true });
              }
            },
          ),
          { numRuns: Number(process.env.CLOUDLAB_CONTAINMENT_RUNS ?? 25) },
        )
        .catch(e => {
          throw new Error(`${failures.slice(-3).join('\n')}\n${e.message}`);
        });
      // Hostile trees are refused (the property is not vacuous).
      expect(refused).toBeGreaterThan(0);
      expect(refused + accepted).toBe(
        Number(process.env.CLOUDLAB_CONTAINMENT_RUNS ?? 25),
      );
    },
  );
});

describe('the recorder can fail', () => {
  it('sees a read through a symlink and a write through a dangling one', async () => {
    const ws = fs.mkdtempSync(path.join(tmp, 'cloudlab-ws-'));
    const outside = fs.mkdtempSync(path.join(tmp, 'cloudlab-outside-'));
    try {
      fs.writeFileSync(path.join(outside, 'secret.txt'), 's');
      fs.symlinkSync(outside, path.join(ws, 'dir'));
      fs.symlinkSync(path.join(outside, 'new.txt'), path.join(ws, 'dangling'));
      const before = hashTree(outside);
      const { touches } = await recordFs(async () => {
        await fs.promises.readFile(path.join(ws, 'dir', 'secret.txt'));
        await fs.promises.writeFile(path.join(ws, 'dangling'), 'x');
      });
      expect(touches.map(t => t.real)).toEqual([
        path.join(outside, 'secret.txt'),
        path.join(outside, 'new.txt'),
      ]);
      expect(touches.every(t => !within(ws, t.real))).toBe(true);
      expect(hashTree(outside)).not.toBe(before);
      expect(escapingLinks(ws, ws).sort()).toEqual(
        [path.join(ws, 'dangling'), path.join(ws, 'dir')].sort(),
      );
    } finally {
      fs.rmSync(ws, { recursive: true, force: true });
      fs.rmSync(outside, { recursive: true, force: true });
    }
  });
});
