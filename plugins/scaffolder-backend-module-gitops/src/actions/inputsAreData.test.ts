import fc from 'fast-check';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { hashTree, mockContext } from '../__testUtils__/workspace';
import {
  asDataFailures,
  files,
  HOSTILE_STRINGS,
  showValue,
  written,
} from '../__testUtils__/asData';
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
 * Security property 2 (inputs are data, docs/security.md), for every string input of every action: generated
 * values (`${{ }}`, `---`, YAML anchors, aliases and tags, newlines, NUL and control
 * characters, bidi and other Unicode, strings up to 64 KiB and beyond) either
 * - are refused at the boundary with an error naming the field and the rule, and nothing is
 *   written; or
 * - are written as data: every file written parses as YAML without errors and, with the
 *   value mapped back to the valid one, holds exactly the documents, keys and values of the
 *   run with the valid value (so the value round-trips as one scalar and adds no structure);
 *   a commit message is stored byte for byte.
 * The templates' string parameters all reach these inputs (templates.test.ts checks that each
 * template step uses only these actions; the template schemas bound their lengths too).
 */

jest.setTimeout(600_000);

jest.mock('../lib/validator', () => ({
  ...jest.requireActual('../lib/validator'),
  validateTree: jest.fn(async () => ({
    ok: true,
    findings: [],
    output: '',
    durationMs: 0,
  })),
}));

let repository: string;
let prepared: string;
const actions = () => testActions(repository);
const action = (id: string) => actions().find(a => a.id === id)!;

beforeAll(async () => {
  repository = makeLocalRepository();
  // The workspace every run starts from: the tree plus the workload `notes` (so the catalog
  // entry of BASE has no hand-written entry in its way).
  prepared = await prepareTree(repository);
});
afterAll(() => {
  fs.rmSync(repository, { recursive: true, force: true });
  fs.rmSync(prepared, { recursive: true, force: true });
});

/** Runs an action on a fresh copy of the prepared workspace. */
async function run(id: string, input: Record<string, unknown>) {
  const ws = copyTree(prepared);
  const before = files(ws);
  const hash = hashTree(ws);
  const { ctx } = mockContext(ws, input);
  const error = await action(id)
    .handler(ctx)
    .then(
      () => undefined,
      (e: Error) => e,
    );
  return { ws, before, hash, error, after: files(ws) };
}

const ids = Object.keys(BASE).filter(id => stringLeaves(BASE[id]).length > 0);
const cases = ids.flatMap(id =>
  stringLeaves(BASE[id]).map(
    ([at, valid]) => [id, at.join('.'), at, valid] as const,
  ),
);

describe('inputs are data', () => {
  const references = new Map<string, Map<string, string>>();
  const commitBody = (ws: string, branch: string) => {
    const raw = execFileSync(
      'git',
      [
        '--git-dir',
        path.join(repository, '.git'),
        'cat-file',
        'commit',
        `refs/heads/${branch}`,
      ],
      { encoding: 'utf8' },
    );
    void ws;
    return raw.slice(raw.indexOf('\n\n') + 2);
  };

  beforeAll(async () => {
    // The reference run of each action: its valid input, accepted.
    for (const id of ids) {
      const r = await run(id, BASE[id]);
      fs.rmSync(r.ws, { recursive: true, force: true });
      if (r.error)
        throw new Error(`${id} refused its valid input: ${r.error.message}`);
      references.set(id, written(r.before, r.after));
    }
  });

  const OVER_EVERY_LIMIT = 'x'.repeat(64 * 1024 + 1);

  it.each(cases)(
    '%s %s: a hostile value is refused naming the field, or written as data',
    async (id, field, at, valid) => {
      const reference = references.get(id)!;
      expect(reference).toBeDefined();
      let refused = 0;
      const failures: string[] = [];
      await fc
        .assert(
          fc.asyncProperty(HOSTILE_STRINGS, async value => {
            fc.pre(value !== valid);
            const input = setAt(BASE[id], [...at], value);
            if (id === 'cloudlab:git:commit' && field !== 'branch')
              (input as any).branch = `t/${Math.random()
                .toString(36)
                .slice(2, 10)}`;
            const r = await run(id, input);
            try {
              const show = showValue(value);
              if (r.error) {
                refused++;
                if (!r.error.message.includes(`${field}:`))
                  failures.push(
                    `${show}: error does not name ${field}: ${r.error.message.slice(
                      0,
                      300,
                    )}`,
                  );
                if (hashTree(r.ws) !== r.hash)
                  failures.push(`${show}: refused but the workspace changed`);
                return failures.length === 0;
              }
              failures.push(
                ...asDataFailures(
                  written(r.before, r.after),
                  reference,
                  value,
                  valid,
                  show,
                ),
              );
              if (id === 'cloudlab:git:commit' && field === 'message') {
                const body = commitBody(r.ws, (input as any).branch);
                if (body !== value && body !== `${value}\n`)
                  failures.push(
                    `${show}: the commit message is not stored as given`,
                  );
              }
              return failures.length === 0;
            } finally {
              fs.rmSync(r.ws, { recursive: true, force: true });
            }
          }),
          {
            numRuns: Number(process.env.CLOUDLAB_INPUTS_RUNS ?? 20),
            // Over every field's length limit: run every time, so each field's refusal path
            // is exercised even when the random values all happen to be accepted as data.
            examples: [[OVER_EVERY_LIMIT]],
          },
        )
        .catch(e => {
          throw new Error(
            `${failures.slice(0, 3).join('\n')}\n${e.message.slice(0, 2000)}`,
          );
        });
      expect(refused).toBeGreaterThan(0);
    },
  );

  it.each(cases)(
    '%s %s: declares a maximum length (64 KiB + 1 and 70 000 characters are refused)',
    async (id, field, at) => {
      for (const n of [64 * 1024 + 1, 70_000]) {
        const r = await run(id, setAt(BASE[id], [...at], 'a'.repeat(n)));
        try {
          expect(r.error?.message).toMatch(
            new RegExp(`Invalid input: .*${field.replace(/\./g, '\\.')}: `),
          );
          expect(hashTree(r.ws)).toBe(r.hash);
        } finally {
          fs.rmSync(r.ws, { recursive: true, force: true });
        }
      }
    },
  );
});
