import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import * as jsYaml from 'js-yaml';
import { parse, parseAllDocuments, stringify } from 'yaml';
import {
  fastYamlParser,
  parseYamlInline,
  parseYamlStream,
  parseYamlValue,
} from './YamlParsePool';

const fast = fastYamlParser(jsYaml);
/** What the `yaml` library alone gives: the reference the fast path must match. */
const reference = (text: string) => parseYamlStream(parseAllDocuments, text);

/** A parse's answer, or what it threw (the yaml library throws on an alias it cannot resolve). */
function outcome(parseIt: () => unknown) {
  try {
    return { answer: parseIt() };
  } catch (e) {
    return { threw: String(e) };
  }
}

const REPO = path.resolve(__dirname, '../../../..');

function yamlFilesUnder(dir: string, out: string[] = []): string[] {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    if (['node_modules', 'dist', '.cache', '.git'].includes(e.name)) continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) yamlFilesUnder(p, out);
    else if (e.isFile() && /\.ya?ml$/.test(e.name)) out.push(p);
  }
  return out;
}

/** Plain scalars whose type or value the YAML 1.1 / 1.2 schemas and libraries disagree on. */
const TRICKY_SCALARS = [
  '1_000',
  '0b101',
  '0o17',
  '0o8',
  '0x1F',
  '0X1F',
  '012',
  '+12',
  '-0',
  '-0.0',
  '1e3',
  '1E-3',
  '+.5e+2',
  '.5',
  '5.',
  '1.50',
  '.inf',
  '-.Inf',
  '+.INF',
  '.NaN',
  'nan',
  'null',
  'Null',
  'NULL',
  'nULL',
  '~',
  'true',
  'True',
  'TRUE',
  'tRUE',
  'yes',
  'No',
  'on',
  'off',
  'y',
  'n',
  '2024-01-01',
  '2001-12-14t21:59:43.10-05:00',
  '1:20',
  '190:20:30',
  '12345678901234567890',
  '9007199254740993',
  '0.1',
  '1.7976931348623157e309',
  '=',
  'a b',
  'a:b',
  'http://x.test/a?b=c&d=e',
  '50%',
  '100m',
  '1Gi',
  'ü',
  '日本',
  '😀',
];

describe('fastYamlParser', () => {
  it('gives what the yaml library gives for every YAML file of this repository, and answers for most of them', () => {
    const files = ['gitops', 'conformance', 'templates', 'tools', 'plugins']
      .map(d => path.join(REPO, d))
      .flatMap(d => yamlFilesUnder(d));
    expect(files.length).toBeGreaterThan(100);
    let answered = 0;
    for (const file of files) {
      const text = fs.readFileSync(file, 'utf8');
      if (fast(text)) answered++;
      expect({
        file,
        parsed: parseYamlStream(parseAllDocuments, text, fast),
      }).toStrictEqual({ file, parsed: reference(text) });
    }
    expect(answered / files.length).toBeGreaterThan(0.8);
  });

  it('resolves plain scalars as the yaml library core schema does (types, -0, NaN, big numbers)', () => {
    const text = TRICKY_SCALARS.map((s, i) => `k${i}: ${s}\n`).join('');
    const answer = fast(text);
    expect(answer).toBeDefined();
    expect(answer).toStrictEqual(reference(text).docs);
    const doc = answer![0] as Record<string, unknown>;
    const at = (s: string) => doc[`k${TRICKY_SCALARS.indexOf(s)}`];
    expect(Object.is(at('-0'), -0)).toBe(true);
    expect(at('0o17')).toBe(15);
    expect(at('1_000')).toBe('1_000');
    expect(at('yes')).toBe('yes');
    expect(at('2024-01-01')).toBe('2024-01-01');
    expect(at('.NaN')).toBeNaN();
    // The same as keys, in flow collections and quoted (quoted scalars are strings).
    for (const variant of [
      TRICKY_SCALARS.map(s => `${s}: v\n`).join(''),
      `list: [${TRICKY_SCALARS.filter(s => !s.includes(',')).join(', ')}]\n`,
      TRICKY_SCALARS.map((s, i) => `q${i}: "${s}"\ns${i}: '${s}'\n`).join(''),
    ]) {
      expect(parseYamlStream(parseAllDocuments, variant, fast)).toStrictEqual(
        reference(variant),
      );
    }
  });

  it.each([
    ['an anchor and an alias', 'a: &x {b: 1}\nc: *x\n'],
    ['a tag', 'a: !!str 1\n'],
    ['a custom tag', 'a: !thing x\n'],
    ['a merge key', 'base: {a: 1}\nm:\n  <<: {b: 2}\n'],
    ['a directive', '%YAML 1.1\n---\na: yes\n'],
    ['a complex key', '? [a, b]\n: c\n'],
    ['a null key', '~: a\n'],
    ['an empty key', ': a\n'],
    ['a null key in a flow map', 'm: {null: 1}\n'],
    ['a tab', 'a:\t1\n'],
    ['a carriage return', 'a: 1\r\nb: 2\r\n'],
    ['a line separator', 'a: "x\u2028y"\n'],
    ['a long line', `a: ${'x'.repeat(1200)}\n`],
    ['a block scalar with an indentation indicator', '|1-\n spaced \n'],
    ['a comment right after a flow collection', 'm: {}#: }\n'],
    ['a comment right after a quoted scalar', 'a: "x"#c\n'],
    ['a document end marker with content after it', '... - \n'],
    ['a line that only starts like a marker', '---- \n'],
    ['content on a document start line', '--- 0x1:\n'],
    ['a null key in a flow mapping', '{~}\n'],
    ['an empty sequence item', '- - \n- \n'],
    ['an empty sequence item with a comment', "- - #\n- 's'\n"],
    ['a flow collection as a key', '[[]:]\n'],
    ['a block scalar at the root', '  >+\n #c\n'],
    ['a block scalar starting with an empty line', 'a: |\n\n  x\n'],
    ['an implicit key over 1,024 characters', `${'k'.repeat(1100)}: v\n`],
    ['a malformed text', 'a: [unclosed\n'],
    ['a duplicate key', 'a: 1\na: 2\n'],
    ['keys the same only as strings', '1: a\n"1": b\n'],
  ])('leaves %s to the yaml library', (_what, text) => {
    expect(fast(text)).toBeUndefined();
    expect(parseYamlStream(parseAllDocuments, text, fast)).toStrictEqual(
      reference(text),
    );
  });

  it.each([
    ['escapes in double quotes', 'a: "\\x41\\u00e9\\U0001F600\\N\\_\\t"\n'],
    ['a single-quoted quote', "a: 'it''s'\n"],
    ['a folded block, stripped', 'a: >-\n  folded\n  text\n\n  para\n'],
    ['a literal block, kept', 'a: |+\n  keep\n\n'],
    ['a multi-line quoted string', 'a: "multi\n  line\n\n  quoted"\n'],
    ['a multi-line plain string', 'a: plain\n  multi\n\n  line\n'],
    ['nested sequences', '- - - x\n'],
    [
      'keys that are Object.prototype names',
      '__proto__: {a: 1}\nconstructor: 1\ntoString: [2]\n',
    ],
  ])('answers %s as the yaml library does', (_what, text) => {
    expect(fast(text)).toBeDefined();
    expect(parseYamlStream(parseAllDocuments, text, fast)).toStrictEqual(
      reference(text),
    );
  });

  it('declines a null key because the two libraries name it differently', () => {
    expect(reference('~: a\n').docs).toEqual([{ '': 'a' }]);
    expect(jsYaml.load('~: a\n')).toEqual({ null: 'a' });
  });

  it('answers for streams of several documents, empty ones dropped as the yaml library drops them', () => {
    const text = '---\n---\na: 1\n---\n# only a comment\n---\n- x\n';
    expect(fast(text)).toBeDefined();
    expect(parseYamlStream(parseAllDocuments, text, fast)).toStrictEqual(
      reference(text),
    );
    expect(parseYamlStream(parseAllDocuments, '', fast)).toStrictEqual(
      reference(''),
    );
  });

  it('runs from its own source text, as the parse workers run it', () => {
    // eslint-disable-next-line no-new-func
    const rebuilt = new Function(`return (${fastYamlParser.toString()})`)()(
      jsYaml,
    ) as typeof fast;
    expect(rebuilt('a: [1, 0x10, .inf]\n')).toStrictEqual([
      { a: [1, 16, Infinity] },
    ]);
  });

  // Every value the stringifier writes, in each of its styles, and plain scalars written raw.
  const key = fc.oneof(
    fc.constantFrom(...TRICKY_SCALARS),
    fc.string({ maxLength: 12 }),
    fc.stringMatching(/^[a-z][a-zA-Z0-9./-]{0,15}$/),
  );
  const scalar = fc.oneof(
    fc.constantFrom(...TRICKY_SCALARS),
    fc.string({ maxLength: 40 }),
    fc.string({ unit: 'grapheme', maxLength: 20 }),
    fc.constantFrom(
      'multi\nline',
      'trailing\n',
      '\n\nleading',
      'x\\y',
      ' spaced ',
      '# not a comment',
      'a #b',
      '- x',
      '"q"',
      "'s'",
      '{a}',
      '[a]',
      '@x',
      '`x',
      '|',
      '>',
      'a\n  indented\n\nmore',
      '',
    ),
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
  );
  const value = fc.letrec(tie => ({
    node: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      scalar,
      fc.array(tie('node'), { maxLength: 4 }),
      fc.dictionary(key, tie('node'), { maxKeys: 4 }),
    ),
  })).node;
  const options = fc.record({
    defaultStringType: fc.constantFrom(
      'PLAIN',
      'QUOTE_DOUBLE',
      'QUOTE_SINGLE',
      'BLOCK_LITERAL',
      'BLOCK_FOLDED',
    ),
    defaultKeyType: fc.constantFrom(null, 'PLAIN', 'QUOTE_DOUBLE'),
    collectionStyle: fc.constantFrom('any', 'block', 'flow'),
    indentSeq: fc.boolean(),
    indent: fc.integer({ min: 1, max: 4 }),
    lineWidth: fc.constantFrom(0, 20, 80),
  });

  it('gives what the yaml library gives for what the yaml library writes (property)', () => {
    let answered = 0;
    fc.assert(
      fc.property(
        fc.array(value, { minLength: 1, maxLength: 3 }),
        options,
        (docs, opts) => {
          const text = docs.map(d => stringify(d, opts as any)).join('---\n');
          if (fast(text)) answered++;
          expect(parseYamlStream(parseAllDocuments, text, fast)).toStrictEqual(
            reference(text),
          );
        },
      ),
      { numRuns: Number(process.env.YAML_FAST_RUNS ?? 400) },
    );
    expect(answered).toBeGreaterThan(100);
  });

  it('gives what the yaml library gives for hand-written plain and flow scalars (property)', () => {
    const raw = fc.oneof(
      fc.constantFrom(...TRICKY_SCALARS),
      fc.stringMatching(/^[ -~]{0,20}$/),
    );
    fc.assert(
      fc.property(
        fc.array(fc.tuple(raw, raw, fc.integer({ min: 0, max: 3 })), {
          maxLength: 6,
        }),
        lines => {
          const text = lines
            .map(
              ([k, v, style]) =>
                [`${k}: ${v}`, `- ${v}`, `m: {${k}: ${v}}`, `s: [${v}]`][style],
            )
            .join('\n');
          expect(
            outcome(() => parseYamlStream(parseAllDocuments, text, fast)),
          ).toStrictEqual(outcome(() => reference(text)));
        },
      ),
      { numRuns: Number(process.env.YAML_FAST_RUNS ?? 1000) },
    );
  });
});

describe('fastYamlParser on token soup', () => {
  // Lines of YAML's indicators and words in random order: mostly malformed, which `yaml` must
  // still be the one to judge.
  const token = fc.constantFrom(
    '- ',
    'key',
    'k2',
    ': ',
    ':',
    '[',
    ']',
    '{',
    '}',
    ', ',
    ',',
    ' #c',
    '#',
    '"q"',
    "'s'",
    '"',
    "'",
    '|',
    '>',
    '|-',
    '>+',
    '---',
    '...',
    'word',
    '1',
    '0x1',
    'true',
    '~',
    ' ',
    '  ',
    '\n',
    '\n  ',
    '\n    ',
    '\n- ',
    '-',
    '?',
    '@',
    '`',
    '%',
    '\\',
    'a b',
    'é',
  );
  it('gives what the yaml library gives, documents or error (property)', () => {
    fc.assert(
      fc.property(fc.array(token, { maxLength: 30 }), tokens => {
        const text = `${tokens.join('')}\n`;
        expect(
          outcome(() => parseYamlStream(parseAllDocuments, text, fast)),
        ).toStrictEqual(outcome(() => reference(text)));
      }),
      { numRuns: Number(process.env.YAML_FAST_RUNS ?? 2000) },
    );
  });
});

describe('parseYamlInline', () => {
  it('is the reference parse with the fast path', () => {
    const text = 'a: 1\nb: [x, 0o7]\n';
    expect(parseYamlInline(text)).toStrictEqual(reference(text));
    expect(parseYamlInline('a: [\n')).toStrictEqual(reference('a: [\n'));
  });
});

describe('parseYamlValue', () => {
  it.each([
    ['a mapping', 'a: 1\nb: -0\n'],
    ['an empty document', ''],
    ['a null document', '~\n'],
    ['an alias', 'a: &x 1\nb: *x\n'],
  ])('gives what yaml parse gives for %s', (_what, text) => {
    expect(parseYamlValue(text)).toStrictEqual(parse(text));
  });

  it('throws as yaml parse throws on a malformed text or several documents', () => {
    expect(() => parseYamlValue('a: [\n')).toThrow();
    expect(() => parseYamlValue('a: 1\n---\nb: 2\n')).toThrow(
      /multiple documents/,
    );
  });
});
