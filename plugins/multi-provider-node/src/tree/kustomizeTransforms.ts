import { parseAllDocuments } from 'yaml';

type Obj = Record<string, any>;

const isObj = (v: unknown): v is Obj =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Kinds kustomize never puts in a namespace. */
const CLUSTER_SCOPED = new Set([
  'Namespace',
  'StorageClass',
  'CSIDriver',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'PersistentVolume',
  'PriorityClass',
  'ValidatingAdmissionPolicy',
  'ValidatingAdmissionPolicyBinding',
  'ValidatingWebhookConfiguration',
  'MutatingWebhookConfiguration',
  'APIService',
  'IngressClass',
  'RuntimeClass',
]);

/**
 * The transformations of a kustomization (kustomize's `kustomization.yaml`, or the same fields of
 * a Flux Kustomization's spec) that change which name, namespace and labels an object lands with.
 * Other transformations (images, replicas, generators) change nothing the catalog shows.
 *
 * @public
 */
export interface NameTransforms {
  namespace?: string;
  namePrefix?: string;
  nameSuffix?: string;
  /** `commonLabels`: also added to selectors. */
  selectorLabels?: Record<string, string>;
  /** `labels:` entries: to selectors only with `includeSelectors`. */
  labels?: Array<{ pairs: Record<string, string>; includeSelectors: boolean }>;
  /** Patch documents (strategic merge or JSON 6902) with their optional target. */
  patches?: Array<{
    patch: unknown;
    target?: Record<string, any>;
    origin: string;
  }>;
}

const stringRecord = (v: unknown): Record<string, string> =>
  isObj(v)
    ? Object.fromEntries(
        Object.entries(v)
          .filter(([, x]) => ['string', 'number', 'boolean'].includes(typeof x))
          .map(([k, x]) => [k, String(x)]),
      )
    : {};

/**
 * The name-changing transformations of a kustomization document. Inline patches are parsed here;
 * patch files are read by the caller and passed through `readPatch`.
 *
 * @public
 */
export async function transformsOf(
  k: Record<string, any>,
  readPatch: (path: string) => Promise<unknown | undefined>,
  problems: string[],
  where: string,
): Promise<NameTransforms> {
  const patches: NonNullable<NameTransforms['patches']> = [];
  const list = [
    ...(Array.isArray(k.patches) ? k.patches : []),
    ...(Array.isArray(k.patchesStrategicMerge)
      ? k.patchesStrategicMerge.map((p: unknown) =>
          typeof p === 'string' && !p.includes('\n')
            ? { path: p }
            : { patch: p },
        )
      : []),
  ];
  for (const [i, p] of list.entries()) {
    if (!isObj(p)) continue;
    const origin = `${where} patches[${i}]`;
    let doc: unknown;
    if (typeof p.patch === 'string') {
      const docs = parseAllDocuments(p.patch);
      const parsed = (Array.isArray(docs) ? docs : [docs]).map(d => d.toJS());
      doc = parsed.length === 1 ? parsed[0] : parsed;
    } else if (isObj(p.patch) || Array.isArray(p.patch)) {
      doc = p.patch;
    } else if (typeof p.path === 'string') {
      doc = await readPatch(p.path);
      if (doc === undefined) {
        problems.push(`${origin}: patch file ${p.path} cannot be read`);
        continue;
      }
    }
    if (doc !== undefined)
      patches.push({
        patch: doc,
        target: isObj(p.target) ? p.target : undefined,
        origin,
      });
  }
  const labels = (Array.isArray(k.labels) ? k.labels : [])
    .filter(isObj)
    .map((l: Obj) => ({
      pairs: stringRecord(l.pairs),
      includeSelectors: l.includeSelectors === true,
    }));
  const str = (v: unknown) => (typeof v === 'string' && v ? v : undefined);
  return {
    namespace: str(k.namespace) ?? str(k.targetNamespace),
    namePrefix: str(k.namePrefix),
    nameSuffix: str(k.nameSuffix),
    selectorLabels: isObj(k.commonLabels)
      ? stringRecord(k.commonLabels)
      : undefined,
    labels: labels.length ? labels : undefined,
    patches: patches.length ? patches : undefined,
  };
}

function matchesName(pattern: string, name: string): boolean {
  try {
    return new RegExp(`^(?:${pattern})$`).test(name);
  } catch {
    return pattern === name;
  }
}

function matchesSelector(selector: string, labels: Obj | undefined): boolean {
  return selector
    .split(',')
    .map(s => s.trim())
    .filter(Boolean)
    .every(term => {
      const [key, value] = term.split('=');
      return value === undefined
        ? labels?.[key] !== undefined
        : String(labels?.[key]) === value;
    });
}

function targets(doc: Obj, target: Obj): boolean {
  if (target.kind && !matchesName(target.kind, doc.kind)) return false;
  if (target.name && !matchesName(target.name, doc.metadata?.name ?? ''))
    return false;
  if (target.namespace && target.namespace !== doc.metadata?.namespace)
    return false;
  if (
    typeof target.labelSelector === 'string' &&
    !matchesSelector(target.labelSelector, doc.metadata?.labels)
  )
    return false;
  return true;
}

/** Strategic merge, as far as names and labels go: maps merge, everything else is replaced. */
function merge(into: Obj, patch: Obj): void {
  for (const [k, v] of Object.entries(patch)) {
    if (k === '$patch') continue;
    if (isObj(v) && isObj(into[k])) merge(into[k], v);
    else if (v === null) delete into[k];
    else into[k] = structuredClone(v);
  }
}

const unescapePointer = (s: string) =>
  s.replace(/~1/g, '/').replace(/~0/g, '~');

function applyJsonPatch(
  doc: Obj,
  ops: unknown[],
  problems: string[],
  origin: string,
) {
  for (const op of ops) {
    if (!isObj(op) || typeof op.path !== 'string') continue;
    const parts = op.path.split('/').slice(1).map(unescapePointer);
    const last = parts.pop();
    if (last === undefined) continue;
    let parent: any = doc;
    for (const p of parts) {
      if (parent[p] === undefined && op.op === 'add') parent[p] = {};
      parent = parent[p];
      if (parent === undefined || parent === null) break;
    }
    if (parent === undefined || parent === null) {
      if (op.op !== 'remove' && op.op !== 'test')
        problems.push(`${origin}: path ${op.path} does not exist`);
      continue;
    }
    if (op.op === 'add' || op.op === 'replace') {
      if (Array.isArray(parent) && last === '-') parent.push(op.value);
      else parent[last] = structuredClone(op.value);
    } else if (op.op === 'remove') {
      if (Array.isArray(parent)) parent.splice(Number(last), 1);
      else delete parent[last];
    }
  }
}

function addLabels(
  doc: Obj,
  pairs: Record<string, string>,
  selectors: boolean,
) {
  doc.metadata.labels = { ...doc.metadata.labels, ...pairs };
  if (!selectors) return;
  if (isObj(doc.spec?.selector?.matchLabels)) {
    doc.spec.selector.matchLabels = {
      ...doc.spec.selector.matchLabels,
      ...pairs,
    };
  }
  if (isObj(doc.spec?.template?.metadata)) {
    doc.spec.template.metadata.labels = {
      ...doc.spec.template.metadata.labels,
      ...pairs,
    };
  }
}

/** A copy of the maps a name transformation writes: metadata, and the selector paths. */
function copyNamePaths(source: Obj, selectors: boolean): Obj {
  const doc: Obj = { ...source };
  if (isObj(doc.metadata)) doc.metadata = { ...doc.metadata };
  if (selectors && isObj(doc.spec)) {
    const spec = { ...doc.spec };
    if (isObj(spec.selector)) spec.selector = { ...spec.selector };
    if (isObj(spec.template)) {
      spec.template = { ...spec.template };
      if (isObj(spec.template.metadata))
        spec.template.metadata = { ...spec.template.metadata };
    }
    doc.spec = spec;
  }
  return doc;
}

/**
 * Applies one kustomization's name transformations to the objects below it, in kustomize's
 * order (patches before names, so a patch targets the names written below it). Objects are
 * copied before a change: the inputs are shared parse results. Problems name the patch.
 *
 * @public
 */
export function applyNameTransforms<T extends { doc: Record<string, any> }>(
  items: T[],
  t: NameTransforms,
  problems: string[],
): T[] {
  const changes =
    t.namespace ||
    t.namePrefix ||
    t.nameSuffix ||
    t.selectorLabels ||
    t.labels ||
    t.patches;
  if (!changes) return items;
  const selectors =
    !!t.selectorLabels || (t.labels ?? []).some(l => l.includeSelectors);
  return items.map(item => {
    // A patch may write anywhere, so the object is copied whole; otherwise only the maps
    // written below are copied, and the rest stays shared with the parse result.
    const doc = t.patches?.length
      ? structuredClone(item.doc)
      : copyNamePaths(item.doc, selectors);
    doc.metadata = isObj(doc.metadata) ? doc.metadata : {};
    for (const p of t.patches ?? []) {
      const ops = Array.isArray(p.patch) ? p.patch : undefined;
      if (ops) {
        if (p.target && targets(doc, p.target))
          applyJsonPatch(doc, ops, problems, p.origin);
      } else if (isObj(p.patch)) {
        const byIdentity =
          !p.target &&
          p.patch.kind === doc.kind &&
          p.patch.metadata?.name === doc.metadata.name;
        if (byIdentity || (p.target && targets(doc, p.target))) {
          const { metadata, ...rest } = p.patch;
          // kustomize keeps the object's name under a strategic merge patch (a rename needs
          // the patch option allowNameChange, which this reader does not follow).
          const meta = isObj(metadata) ? { ...metadata } : {};
          delete meta.name;
          merge(doc, {
            ...rest,
            metadata: meta,
            kind: doc.kind,
            apiVersion: doc.apiVersion,
          });
        }
      }
    }
    if (t.selectorLabels) addLabels(doc, t.selectorLabels, true);
    for (const l of t.labels ?? []) addLabels(doc, l.pairs, l.includeSelectors);
    if (typeof doc.metadata.name === 'string') {
      doc.metadata.name = `${t.namePrefix ?? ''}${doc.metadata.name}${
        t.nameSuffix ?? ''
      }`;
    }
    if (t.namespace && !CLUSTER_SCOPED.has(doc.kind))
      doc.metadata.namespace = t.namespace;
    return { ...item, doc };
  });
}

/**
 * Flux's postBuild substitution applied to every string of an object (Flux substitutes the
 * rendered YAML text; the object form keeps a value with quotes or newlines valid).
 *
 * @public
 */
export function substituteObject(
  value: unknown,
  replace: (text: string) => string,
): unknown {
  if (typeof value === 'string') return replace(value);
  if (Array.isArray(value)) return value.map(v => substituteObject(v, replace));
  if (isObj(value)) {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [
        replace(k),
        substituteObject(v, replace),
      ]),
    );
  }
  return value;
}
