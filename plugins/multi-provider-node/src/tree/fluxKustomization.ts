import { stringify } from 'yaml';
import { substitute } from './kubeObjects';
import { applyNameTransforms, transformsOf } from './kustomizeTransforms';
import { FluxSpecWritten } from './types';
import { parseYamlValue } from './YamlParsePool';

type Obj = Record<string, any>;

const isObj = (v: unknown): v is Obj =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const str = (v: unknown) => (typeof v === 'string' && v ? v : undefined);

/** A `spec.postBuild.substituteFrom` reference, in the Kustomization's namespace. */
export interface SubstituteRef {
  kind: string;
  namespace: string;
  name: string;
  optional?: boolean;
}

/** A field whose value a variable only a Secret could supply: unknown, never read. */
export interface UnknownVariableField {
  /** `Kind namespace/name` of the object. */
  object: string;
  /** Field path as schema errors print it (`spec.replicas`, `args[0]`). */
  field: string;
  variables: string[];
  /** The Secrets named in substituteFrom, `namespace/name`. */
  secrets: string[];
}

const SUBSTITUTE_KEY = 'kustomize.toolkit.fluxcd.io/substitute';
const VAR_NAME = /^[_A-Za-z][_A-Za-z0-9]*$/;
const VAR_REF = /\$\{([_A-Za-z][_A-Za-z0-9]*)/g;

function stringRecord(v: unknown): Record<string, string> {
  return isObj(v)
    ? Object.fromEntries(
        Object.entries(v).filter(
          (e): e is [string, string] => typeof e[1] === 'string',
        ),
      )
    : {};
}

const noNewlines = (r: Record<string, string>) =>
  Object.fromEntries(
    Object.entries(r).map(([k, v]) => [k, v.replace(/\n/g, '')]),
  );

function objectId(doc: Obj): string {
  const ns = doc.metadata?.namespace;
  return `${doc.kind} ${ns ? `${ns}/` : ''}${doc.metadata?.name}`;
}

/** The name part of an image reference: without its tag and digest. */
function imageName(image: string): string {
  const at = image.indexOf('@');
  const noDigest = at >= 0 ? image.slice(0, at) : image;
  const colon = noDigest.lastIndexOf(':');
  return colon > noDigest.lastIndexOf('/')
    ? noDigest.slice(0, colon)
    : noDigest;
}

/**
 * kustomize's image transformer as a Flux Kustomization's `spec.images` drives it: every
 * `image` of a `containers` or `initContainers` list anywhere in the object whose name matches.
 * A digest replaces the tag.
 */
function applyImages(value: unknown, images: Obj[]): void {
  if (Array.isArray(value)) {
    value.forEach(v => applyImages(v, images));
    return;
  }
  if (!isObj(value)) return;
  for (const [key, v] of Object.entries(value)) {
    if (
      (key === 'containers' || key === 'initContainers') &&
      Array.isArray(v)
    ) {
      for (const c of v) {
        if (!isObj(c) || typeof c.image !== 'string') continue;
        const name = imageName(c.image);
        const rule = images.find(i => i.name === name);
        if (!rule) continue;
        const rest = c.image.slice(name.length);
        let tag = rest.startsWith(':') ? rest.split('@')[0] : '';
        let digest = rest.includes('@') ? rest.slice(rest.indexOf('@')) : '';
        if (str(rule.newTag) || str(rule.digest)) {
          tag = str(rule.newTag) ? `:${rule.newTag}` : '';
          digest = str(rule.digest) ? `@${rule.digest}` : '';
        }
        if (digest) tag = '';
        c.image = `${str(rule.newName) ?? name}${tag}${digest}`;
      }
    }
    applyImages(v, images);
  }
}

/** Whether a `$` is in any string or key of a parsed YAML value. */
function holdsDollar(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('$');
  if (Array.isArray(value)) return value.some(holdsDollar);
  if (isObj(value)) {
    for (const [k, v] of Object.entries(value))
      if (k.includes('$') || holdsDollar(v)) return true;
  }
  return false;
}

/** Records the fields holding `${name}` of an unknown variable, in schema-error path form. */
function unknownFields(
  value: unknown,
  names: Set<string>,
  at: string,
  into: Map<string, string[]>,
): void {
  if (typeof value === 'string') {
    const found = [...value.matchAll(/\$\{([_A-Za-z][_A-Za-z0-9]*)\}/g)]
      .map(m => m[1])
      .filter(n => names.has(n));
    if (found.length) into.set(at, found);
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => unknownFields(v, names, `${at}[${i}]`, into));
  } else if (isObj(value)) {
    for (const [k, v] of Object.entries(value))
      unknownFields(v, names, at ? `${at}.${k}` : k, into);
  }
}

/**
 * The kustomization file kustomize-controller builds for a Flux Kustomization: the folder's own
 * (`{}` for a folder without one, whose generated file lists its manifests) with the spec written
 * into it by Flux's generator. A targetNamespace, namePrefix or nameSuffix the spec states
 * replaces the folder's top-level value (nested bases keep theirs), and the spec's patches come
 * after the folder's, in the same kustomization: so they target names before the folder's
 * prefix. Components and images are not written here (the reader walks components itself;
 * images change no name).
 */
export function withFluxSpec(kustomization: Obj, ks: Obj): Obj {
  const spec = isObj(ks.spec) ? ks.spec : {};
  const out: Obj = { ...kustomization };
  // Flux writes a field the spec states, even an empty one.
  if (typeof spec.targetNamespace === 'string')
    out.namespace = spec.targetNamespace;
  if (typeof spec.namePrefix === 'string') out.namePrefix = spec.namePrefix;
  if (typeof spec.nameSuffix === 'string') out.nameSuffix = spec.nameSuffix;
  if (Array.isArray(spec.patches) && spec.patches.length)
    out.patches = [
      ...(Array.isArray(out.patches) ? out.patches : []),
      ...spec.patches,
    ];
  return out;
}

/** The spec fields {@link withFluxSpec} writes, as `ks` states them; undefined when none is. */
export function specWrittenOf(ks: Obj): FluxSpecWritten | undefined {
  const spec = isObj(ks.spec) ? ks.spec : {};
  const out: FluxSpecWritten = {};
  for (const key of ['targetNamespace', 'namePrefix', 'nameSuffix'] as const)
    if (typeof spec[key] === 'string') out[key] = spec[key];
  if (Array.isArray(spec.patches) && spec.patches.length)
    out.patches = spec.patches;
  return Object.keys(out).length ? out : undefined;
}

/**
 * What kustomize-controller applies for one Flux Kustomization, given the objects of its
 * `spec.path` (components included): the spec's patches, name prefix and suffix, target
 * namespace and images; then postBuild substitution (ConfigMaps through `configMap`, Secrets
 * never read: what they would supply is reported as unknown); then `commonMetadata`. The Go
 * validator runs the same vectors (conformance/flux-kustomization).
 *
 * With `namesWritten`, the input was built from the folder's kustomization with the spec
 * already written into it (`withFluxSpec`), so patches, prefix, suffix and namespace are not
 * applied again: applied on top, they would compose with the folder's own instead of replacing
 * them, as Flux does.
 */
export async function applyFluxKustomization<T extends { doc: Obj }>(
  input: T[],
  ks: Obj,
  configMap: (
    namespace: string,
    name: string,
  ) => Record<string, string> | undefined,
  problems: string[],
  options: { namesWritten?: boolean } = {},
): Promise<{
  items: T[];
  substituteValues: Record<string, string>;
  substituteFrom: SubstituteRef[];
  unknown: UnknownVariableField[];
}> {
  const spec = isObj(ks.spec) ? ks.spec : {};
  const name = str(ks.metadata?.name) ?? '';
  const namespace = str(ks.metadata?.namespace) ?? 'flux-system';
  let items = input;
  if (!options.namesWritten) {
    const transforms = await transformsOf(
      withFluxSpec({}, ks),
      async () => undefined,
      problems,
      `Flux Kustomization ${name}`,
    );
    items = applyNameTransforms(input, transforms, problems);
  }
  const images = (Array.isArray(spec.images) ? spec.images : []).filter(isObj);
  if (images.length) {
    items = items.map(i => {
      const doc = structuredClone(i.doc);
      applyImages(doc, images);
      return { ...i, doc };
    });
  }

  const postBuild = isObj(spec.postBuild) ? spec.postBuild : undefined;
  const substituteFrom: SubstituteRef[] = (
    Array.isArray(postBuild?.substituteFrom) ? postBuild!.substituteFrom : []
  )
    .filter(isObj)
    .filter((r: Obj) => str(r.name))
    .map((r: Obj) => ({
      kind: str(r.kind) ?? 'ConfigMap',
      // Flux reads the reference from the Kustomization's own namespace.
      namespace,
      name: r.name as string,
      ...(r.optional === true ? { optional: true } : {}),
    }));
  const substituteValues = stringRecord(postBuild?.substitute);
  const vars: Record<string, string> = {};
  const secrets: string[] = [];
  for (const r of substituteFrom) {
    if (r.kind === 'Secret') secrets.push(`${r.namespace}/${r.name}`);
    else if (r.kind === 'ConfigMap') {
      const data = configMap(r.namespace, r.name);
      if (data) Object.assign(vars, noNewlines(data));
      else if (!r.optional) {
        problems.push(
          `Flux Kustomization ${name}: substituteFrom ConfigMap ${r.namespace}/${r.name} is not in the tree; its variables are left as they are`,
        );
      }
    }
  }
  Object.assign(vars, noNewlines(substituteValues));
  for (const v of Object.keys(vars).filter(k => !VAR_NAME.test(k))) {
    problems.push(
      `Flux Kustomization ${name}: postBuild variable name "${v}" is invalid`,
    );
  }
  const unknown: UnknownVariableField[] = [];
  const runs =
    postBuild !== undefined &&
    (Object.keys(vars).length > 0 ||
      secrets.length > 0 ||
      postBuild.substituteStrategy === 'Always');
  if (runs) {
    items = items.map(i => {
      const meta = i.doc.metadata ?? {};
      if (
        meta.labels?.[SUBSTITUTE_KEY] === 'disabled' ||
        meta.annotations?.[SUBSTITUTE_KEY] === 'disabled'
      )
        return i;
      // Substitution only changes text at a `$`: an object with none in any key or value reads
      // back as it is, so its YAML round trip (the costly part of a read) is skipped.
      if (!holdsDollar(i.doc)) return i;
      // Flux substitutes the object's YAML text, so a value may change a field's type.
      const text = stringify(i.doc, { lineWidth: 0 });
      const own = { ...vars };
      const missing = new Set<string>();
      if (secrets.length) {
        for (const m of text.matchAll(VAR_REF)) {
          if (!(m[1] in own)) {
            missing.add(m[1]);
            own[m[1]] = `\${${m[1]}}`;
          }
        }
      }
      const doc = parseYamlValue(substitute(text, own)) as Obj;
      if (missing.size) {
        const fields = new Map<string, string[]>();
        unknownFields(doc, missing, '', fields);
        for (const [field, variables] of [...fields].sort(([a], [b]) =>
          a < b ? -1 : 1,
        ))
          unknown.push({ object: objectId(doc), field, variables, secrets });
      }
      return { ...i, doc };
    });
  }

  const common = isObj(spec.commonMetadata) ? spec.commonMetadata : {};
  const labels = stringRecord(common.labels);
  const annotations = stringRecord(common.annotations);
  if (Object.keys(labels).length || Object.keys(annotations).length) {
    items = items.map(i => {
      const metadata = { ...i.doc.metadata };
      if (Object.keys(labels).length)
        metadata.labels = { ...metadata.labels, ...labels };
      if (Object.keys(annotations).length)
        metadata.annotations = { ...metadata.annotations, ...annotations };
      return { ...i, doc: { ...i.doc, metadata } };
    });
  }
  return { items, substituteValues, substituteFrom, unknown };
}
