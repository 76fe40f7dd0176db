import fc from 'fast-check';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { hashTree, mockContext } from '../__testUtils__/workspace';
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
 * Issue 11, property 2 (inputs are data), for every string input of every action: generated
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

/** A long string of `n` characters built from a short generated unit. */
const long = (min: number, max: number) =>
  fc
    .tuple(fc.string({ minLength: 1, maxLength: 4 }), fc.integer({ min, max }))
    .map(([unit, n]) => unit.repeat(Math.ceil(n / unit.length)).slice(0, n));

const DATA = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      '${{ parameters.name }}',
      '${{ secrets.backstageToken }}',
      '{{ 7*7 }}',
      '---',
      '...',
      'a\n---\nkind: Secret',
      '&a x',
      '*a',
      '&a [*a, *a]',
      '!!python/object:os.system',
      '!<tag:yaml.org,2002:str> x',
      '!!binary aGk=',
      'key: value',
      '- item',
      '? complex',
      '"quoted"',
      "'single'",
      '|\n  block',
      '>\n  folded',
      '# comment',
      'a #b',
      '%YAML 1.1',
      '@at',
      '`tick`',
      'a\nb',
      'a\r\nb',
      '\u0000',
      'a\u0000b',
      '\u0007\u001b[31m',
      '\u0085',
      '\u2028',
      '\u202eevil\u202c',
      '\u200b',
      '\ufeffbom',
      'é',
      'ＡＢＣ',
      '😀',
      'yes',
      'null',
      '0x10',
      '1e3',
      ' lead',
      'trail ',
      'x'.repeat(64 * 1024),
      'x'.repeat(64 * 1024 + 1),
    ),
  },
  { weight: 2, arbitrary: fc.string({ maxLength: 200 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 60 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 60 }) },
  { weight: 1, arbitrary: long(200, 70_000) },
);

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

/** Files under `ws` (workspace-relative) -> content. */
function files(ws: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile())
        out.set(path.relative(ws, p), fs.readFileSync(p, 'utf8'));
    }
  };
  walk(ws);
  return out;
}

/** Files that differ from `before` (new or changed). */
function written(before: Map<string, string>, after: Map<string, string>) {
  return new Map([...after].filter(([k, v]) => before.get(k) !== v));
}

/** A parsed value with the YAML held in kustomize `patch` strings parsed too. */
function withPatches(v: unknown, key?: string): unknown {
  if (key === 'patch' && typeof v === 'string')
    return parseAllDocuments(v).map(d => d.toJS());
  if (Array.isArray(v)) return v.map(x => withPatches(x));
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.entries(v).map(([k, x]) => [k, withPatches(x, k)]),
    );
  return v;
}

/** Every string in a parsed value with `from` replaced by `to`. */
function mapStrings(v: unknown, from: string, to: string): unknown {
  if (typeof v === 'string') return v.split(from).join(to);
  if (Array.isArray(v)) return v.map(x => mapStrings(x, from, to));
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.entries(v).map(([k, x]) => [
        k.split(from).join(to),
        mapStrings(x, from, to),
      ]),
    );
  return v;
}

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

  it.each(cases)(
    '%s %s: a hostile value is refused naming the field, or written as data',
    async (id, field, at, valid) => {
      const reference = references.get(id)!;
      expect(reference).toBeDefined();
      let refused = 0;
      const failures: string[] = [];
      await fc
        .assert(
          fc.asyncProperty(DATA, async value => {
            fc.pre(value !== valid);
            const input = setAt(BASE[id], [...at], value);
            if (id === 'cloudlab:git:commit' && field !== 'branch')
              (input as any).branch = `t/${Math.random()
                .toString(36)
                .slice(2, 10)}`;
            const r = await run(id, input);
            try {
              const show = `${JSON.stringify(value.slice(0, 60))} (${
                value.length
              } chars)`;
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
              const out = written(r.before, r.after);
              for (const [file, text] of out) {
                if (!/\.ya?ml$/.test(file)) continue;
                const docs = parseAllDocuments(text);
                const errs = docs.flatMap(d => d.errors.map(e => e.message));
                if (errs.length)
                  failures.push(`${show}: ${file} does not parse: ${errs[0]}`);
              }
              // A value that occurs nowhere in the reference change can be mapped back: the
              // change is then exactly the reference change. Others (plain names that passed the
              // field's pattern) are checked by file and document count.
              const refText = [...reference].flat().join('\0') + valid;
              if (value === '' || refText.includes(value)) {
                if (out.size !== reference.size)
                  failures.push(
                    `${show}: wrote ${out.size} files, the reference ${reference.size}`,
                  );
                for (const [f, t] of out) {
                  const ref = reference.get(f);
                  if (
                    ref !== undefined &&
                    /\.ya?ml$/.test(f) &&
                    parseAllDocuments(t).length !==
                      parseAllDocuments(ref).length
                  )
                    failures.push(
                      `${show}: ${f} has another number of documents`,
                    );
                }
                return failures.length === 0;
              }
              const mapped = new Map(
                [...out].map(([f, t]) => [f.split(value).join(valid), t]),
              );
              if (
                JSON.stringify([...mapped.keys()].sort()) !==
                JSON.stringify([...reference.keys()].sort())
              )
                failures.push(
                  `${show}: wrote ${[...mapped.keys()].join(', ')}`,
                );
              for (const [f, t] of mapped) {
                const ref = reference.get(f);
                if (ref === undefined || !/\.ya?ml$/.test(f)) continue;
                const got = parseAllDocuments(t).map(d =>
                  mapStrings(withPatches(d.toJS()), value, valid),
                );
                const want = parseAllDocuments(ref).map(d =>
                  withPatches(d.toJS()),
                );
                if (JSON.stringify(got) !== JSON.stringify(want))
                  failures.push(
                    `${show}: ${f} differs from the reference beyond the value`,
                  );
              }
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
          { numRuns: Number(process.env.CLOUDLAB_INPUTS_RUNS ?? 20) },
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
