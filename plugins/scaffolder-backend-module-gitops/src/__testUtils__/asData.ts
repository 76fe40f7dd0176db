import fc from 'fast-check';
import fs from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';

/**
 * Security property 2 (inputs are data): the hostile strings and the check that a change holds
 * a value as data, shared by the action-level test (actions/inputsAreData.test.ts) and the
 * end-to-end test through the scaffolder's own template rendering
 * (templateInputsAreData.test.ts).
 */

/** A long string of `n` characters built from a short generated unit. */
const long = (min: number, max: number) =>
  fc
    .tuple(fc.string({ minLength: 1, maxLength: 4 }), fc.integer({ min, max }))
    .map(([unit, n]) => unit.repeat(Math.ceil(n / unit.length)).slice(0, n));

export const HOSTILE_STRINGS = fc.oneof(
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

/** Files under `ws` (workspace-relative) -> content. */
export function files(ws: string): Map<string, string> {
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
export function written(
  before: Map<string, string>,
  after: Map<string, string>,
) {
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

/**
 * The failures (none when the property holds) of a change `out` (path -> content) written with
 * `value` where the reference change `reference` was written with `valid`:
 * - every YAML file written parses without errors;
 * - a value that occurs nowhere in the reference change is mapped back: the change then holds
 *   exactly the reference's files, documents, keys and values (kustomize patches parsed too);
 * - other values (plain names a field's pattern admits) are checked by file and document count.
 */
export function asDataFailures(
  out: Map<string, string>,
  reference: Map<string, string>,
  value: string,
  valid: string,
  show: string,
): string[] {
  const failures: string[] = [];
  for (const [file, text] of out) {
    if (!/\.ya?ml$/.test(file)) continue;
    const errs = parseAllDocuments(text).flatMap(d =>
      d.errors.map(e => e.message),
    );
    if (errs.length)
      failures.push(`${show}: ${file} does not parse: ${errs[0]}`);
  }
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
        parseAllDocuments(t).length !== parseAllDocuments(ref).length
      )
        failures.push(`${show}: ${f} has another number of documents`);
    }
    return failures;
  }
  const mapped = new Map(
    [...out].map(([f, t]) => [f.split(value).join(valid), t]),
  );
  if (
    JSON.stringify([...mapped.keys()].sort()) !==
    JSON.stringify([...reference.keys()].sort())
  )
    failures.push(`${show}: wrote ${[...mapped.keys()].join(', ')}`);
  for (const [f, t] of mapped) {
    const ref = reference.get(f);
    if (ref === undefined || !/\.ya?ml$/.test(f)) continue;
    const got = parseAllDocuments(t).map(d =>
      mapStrings(withPatches(d.toJS()), value, valid),
    );
    const want = parseAllDocuments(ref).map(d => withPatches(d.toJS()));
    if (JSON.stringify(got) !== JSON.stringify(want))
      failures.push(
        `${show}: ${f} differs from the reference beyond the value`,
      );
  }
  return failures;
}

/** A generated value shortened for a failure message. */
export const showValue = (value: string) =>
  `${JSON.stringify(value.slice(0, 60))} (${value.length} chars)`;
