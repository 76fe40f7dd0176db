import fc from 'fast-check';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { parse } from 'yaml';
import { makeLocalRepository, setAt } from './__testUtils__/actionInputs';
import {
  asDataFailures,
  HOSTILE_STRINGS,
  showValue,
} from './__testUtils__/asData';
import { templateStringFields } from './__testUtils__/templateFields';
import { startScaffolder } from './__testUtils__/scaffolderBackend';
import { REPO_ROOT } from './__testUtils__/workspace';
import { loadTemplateExamples } from './templateExamples';

/**
 * Security property 2 (inputs are data, docs/security.md), end to end: every string parameter of every template
 * is filled with generated hostile text and the template is run as a real task by the
 * scaffolder backend (its JSON Schema check of the form values, its Nunjucks rendering of
 * `${{ parameters.x }}` into the step inputs, our actions, the Go validator, the commit to the
 * lab's local repository). Each value is either
 * - refused - by the template's schema (400 naming the field) or by an action's boundary
 *   ("Invalid input: <field>: <rule>") - and the repository is left as it was; or
 * - committed as data: every file of the commit parses, and with the value mapped back the
 *   commit holds exactly the files, documents, keys and values of the task run with the
 *   template's example values (so a `${{ }}` typed into a field is never rendered, and `---`,
 *   anchors, tags and newlines add no structure); a change title is the commit message byte
 *   for byte.
 * CLOUDLAB_TEMPLATE_INPUTS_RUNS (default 3) generated values per field, plus fixed template
 * expressions.
 */

jest.setTimeout(900_000);

const TEMPLATES = path.join(REPO_ROOT, 'templates');
const examples = loadTemplateExamples(TEMPLATES);
const names = Object.keys(examples);
const template = (name: string) =>
  parse(fs.readFileSync(path.join(TEMPLATES, name, 'template.yaml'), 'utf8'));

/** Paths of every string form field of a template (array items as element 0), secrets left out. */
const stringFields = (name: string) =>
  templateStringFields(template(name))
    .filter(f => f.schema['ui:field'] !== 'Secret')
    .map(f => f.at);

const getAt = (v: any, at: (string | number)[]) =>
  at.reduce((o, k) => (o === undefined ? undefined : o[k]), v);

/** Template expressions a user might type, on top of the generated values. */
const EXPRESSIONS = [
  '${{ parameters.name }}',
  '${{ secrets.gitToken }}',
  '${{ steps.checkout.output.repoUrl }}',
  "${{ '---\\nkind: Secret' }}",
  '{% raw %}x{% endraw %}{{ 7*7 }}',
];

/** How a refusal names the field and the rule, at each of the task's boundaries. */
const REFUSAL =
  /Invalid input passed to action [a-z:-]+, instance\S* |Invalid input: [^\n]*\S: |gitops-validate/;

let repository: string;
let server: any;
const gitDir = () => path.join(repository, '.git');
const git = (...args: string[]) =>
  execFileSync('git', ['--git-dir', gitDir(), ...args], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  }).trim();

beforeAll(async () => {
  repository = makeLocalRepository();
  const entities = names.map(n => {
    const t = template(n);
    return { ...t, metadata: { ...t.metadata, namespace: 'default' } };
  });
  server = await startScaffolder({ localRepository: repository, entities });
});
afterAll(() => fs.rmSync(repository, { recursive: true, force: true }));

type Outcome =
  | { kind: 'schema'; errors: { property?: string; message?: string }[] }
  | { kind: 'failed'; messages: string[] }
  | { kind: 'committed'; files: Map<string, string>; message: string };

/** Runs a template as a scaffolder task; the local repository's main is reset afterwards. */
async function runTask(
  name: string,
  values: Record<string, unknown>,
): Promise<Outcome> {
  const base = git('rev-parse', 'refs/heads/main');
  const created = await request(server)
    .post('/api/scaffolder/v2/tasks')
    .send({ templateRef: `template:default/${name}`, values });
  if (created.status === 400)
    return { kind: 'schema', errors: created.body.errors ?? [created.body] };
  if (created.status !== 201)
    throw new Error(`task not created: ${created.status} ${created.text}`);
  const id = created.body.id as string;
  let status = '';
  for (let i = 0; i < 3000; i++) {
    status = (await request(server).get(`/api/scaffolder/v2/tasks/${id}`)).body
      .status;
    if (['completed', 'failed', 'cancelled'].includes(status)) break;
    await new Promise(r => setTimeout(r, 100));
  }
  const head = git('rev-parse', 'refs/heads/main');
  try {
    if (status !== 'completed') {
      const events = (
        await request(server).get(`/api/scaffolder/v2/tasks/${id}/events`)
      ).body as { body: { message?: string; error?: { message?: string } } }[];
      const messages = events.flatMap(e =>
        [e.body.error?.message, e.body.message].filter(
          (m): m is string => typeof m === 'string',
        ),
      );
      if (head !== base)
        messages.push(`REPOSITORY CHANGED by a failed task (${status})`);
      return { kind: 'failed', messages };
    }
    const files = new Map<string, string>();
    if (head !== base)
      for (const f of git('diff', '--name-only', base, head).split('\n'))
        if (f) files.set(f, git('show', `${head}:${f}`));
    const raw = head === base ? '' : git('cat-file', 'commit', head);
    return {
      kind: 'committed',
      files,
      message: raw.slice(raw.indexOf('\n\n') + 2),
    };
  } finally {
    git('update-ref', 'refs/heads/main', base);
  }
}

const cases = names.flatMap(n =>
  stringFields(n).map(at => [n, at.join('.'), at] as const),
);

describe('template inputs are data (through the scaffolder)', () => {
  const references = new Map<string, Map<string, string>>();

  beforeAll(async () => {
    for (const n of names) {
      const r = await runTask(n, examples[n]);
      if (r.kind !== 'committed' || r.files.size === 0)
        throw new Error(
          `${n} with its example values did not commit: ${JSON.stringify(
            r,
          ).slice(0, 1500)}`,
        );
      references.set(n, r.files);
    }
  });

  const outcomes = { schema: 0, failed: 0, committed: 0 };

  it.each(names)(
    '%s: a template expression typed as the change title is committed verbatim, not rendered',
    async name => {
      const value = '${{ parameters.name }} ${{ secrets.gitToken }}';
      const r = await runTask(name, {
        ...examples[name],
        commitMessage: value,
      });
      expect(r.kind).toBe('committed');
      if (r.kind !== 'committed') return;
      expect(r.message.replace(/\n$/, '')).toBe(value);
      expect([...r.files.keys()].sort()).toEqual(
        [...references.get(name)!.keys()].sort(),
      );
    },
  );

  it('covers a free-text field of every template', () => {
    expect(new Set(cases.map(c => c[0]))).toEqual(new Set(names));
    expect(cases.filter(c => c[1] === 'commitMessage')).toHaveLength(
      names.length,
    );
  });

  it.each(cases)(
    '%s %s: a hostile value is refused naming the field, or committed as data',
    async (name, field, at) => {
      const reference = references.get(name)!;
      const example = getAt(examples[name], [...at]);
      // A field the example leaves empty (the change title) gets a plain valid value.
      const valid = typeof example === 'string' ? example : 'Plain change';
      const referenceValues =
        typeof example === 'string'
          ? examples[name]
          : setAt(examples[name], [...at], valid);
      const failures: string[] = [];
      const key = String(
        at[at.length - 1] === 0 ? at[at.length - 2] : at[at.length - 1],
      );
      const property = async (value: string) => {
        fc.pre(value !== valid);
        const show = showValue(value);
        const r = await runTask(name, setAt(referenceValues, [...at], value));
        outcomes[r.kind]++;
        if (r.kind === 'schema') {
          const text = JSON.stringify(r.errors);
          if (!text.includes(key))
            failures.push(
              `${show}: schema refusal does not name ${key}: ${text.slice(
                0,
                300,
              )}`,
            );
        } else if (r.kind === 'failed') {
          const text = r.messages.join('\n');
          if (text.includes('REPOSITORY CHANGED'))
            failures.push(`${show}: refused but the repository changed`);
          // The scaffolder checks each step's input against the action's schema ("Invalid
          // input passed to action <id>, instance.<field> <rule>"), the action its own
          // boundary ("Invalid input: <field>: <rule>"), the validator the tree.
          if (!REFUSAL.test(text))
            failures.push(
              `${show}: the task failed without naming a field and a rule: ${text.slice(
                0,
                600,
              )}`,
            );
        } else {
          failures.push(
            ...asDataFailures(r.files, reference, value, valid, show),
          );
          if (field === 'commitMessage' && r.files.size > 0) {
            if (r.message !== value && r.message !== `${value}\n`)
              failures.push(
                `${show}: the commit message is not stored as given`,
              );
          }
        }
        return failures.length === 0;
      };
      await fc
        .assert(fc.asyncProperty(HOSTILE_STRINGS, property), {
          numRuns: Number(process.env.CLOUDLAB_TEMPLATE_INPUTS_RUNS ?? 3),
          examples: EXPRESSIONS.map(e => [e] as [string]),
        })
        .catch(e => {
          throw new Error(
            `${failures.slice(0, 3).join('\n')}\n${e.message.slice(0, 2000)}`,
          );
        });
      expect(failures).toEqual([]);
    },
  );

  it('saw values refused at each boundary and values committed as data', () => {
    // Run after the cases above (jest runs a file's tests in order).
    expect(outcomes.schema).toBeGreaterThan(0);
    expect(outcomes.failed).toBeGreaterThan(0);
    expect(outcomes.committed).toBeGreaterThan(0);
  });
});
