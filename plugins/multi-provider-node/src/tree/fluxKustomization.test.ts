import fs from 'node:fs';
import path from 'node:path';
import { applyFluxKustomization } from './fluxKustomization';

// Tests run from source, where __dirname is this directory.
// eslint-disable-next-line no-restricted-syntax
const vectorsFile = path.resolve(
  __dirname,
  '../../../../conformance/flux-kustomization/cases.json',
);

type Obj = Record<string, any>;
interface Case {
  name: string;
  kustomization: Obj;
  objects: Obj[];
  components?: Record<string, Obj[]>;
  configMaps?: Obj[];
  expected: Array<{
    kind: string;
    namespace?: string;
    name: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    fields?: Record<string, unknown>;
  }>;
  unknown?: Array<{
    object: string;
    field: string;
    variables: string[];
    secrets: string[];
  }>;
}

const cases: Case[] = JSON.parse(fs.readFileSync(vectorsFile, 'utf8')).cases;

/** Dots separate keys, `\.` is a dot inside a key, numbers index lists. */
function fieldAt(doc: unknown, p: string): unknown {
  return p
    .replace(/\\\./g, '\0')
    .split('.')
    .map(s => s.replace(/\0/g, '.'))
    .reduce<any>((v, k) => (v === undefined || v === null ? v : v[k]), doc);
}

const idOf = (d: Obj) =>
  `${d.kind}/${d.metadata?.namespace ?? ''}/${d.metadata?.name}`;

describe('applyFluxKustomization conformance (conformance/flux-kustomization, shared with Go)', () => {
  it('has the vectors', () => {
    expect(cases.length).toBeGreaterThanOrEqual(10);
  });

  it.each(cases.map(c => [c.name, c] as const))('%s', async (_, c) => {
    // What kustomize build of spec.path yields: the path's objects, then its components'.
    const components = (c.kustomization.spec?.components ?? []) as string[];
    const built = [
      ...c.objects,
      ...components.flatMap(p => c.components?.[path.posix.basename(p)] ?? []),
    ].map(doc => ({ doc: structuredClone(doc) }));
    const problems: string[] = [];
    const out = await applyFluxKustomization(
      built,
      c.kustomization,
      (ns, name) =>
        c.configMaps?.find(
          m => m.metadata.namespace === ns && m.metadata.name === name,
        )?.data,
      problems,
    );
    expect(problems).toEqual([]);
    const docs = out.items
      .map(i => i.doc)
      .sort((a, b) => (idOf(a) < idOf(b) ? -1 : 1));
    expect(
      docs.map(d => [d.kind, d.metadata?.namespace, d.metadata?.name]),
    ).toEqual(c.expected.map(e => [e.kind, e.namespace, e.name]));
    // Only what a case states is compared: labels, annotations and the listed fields.
    const seen = c.expected.map((e, i) => ({
      labels: e.labels && docs[i].metadata.labels,
      annotations: e.annotations && docs[i].metadata.annotations,
      fields: Object.fromEntries(
        Object.keys(e.fields ?? {}).map(p => [p, fieldAt(docs[i], p)]),
      ),
    }));
    expect(seen).toEqual(
      c.expected.map(e => ({
        labels: e.labels,
        annotations: e.annotations,
        fields: e.fields ?? {},
      })),
    );
    expect(out.unknown).toEqual(c.unknown ?? []);
  });
});
