import {
  Document,
  isMap,
  isSeq,
  parseAllDocuments,
  parseDocument,
  YAMLMap,
  YAMLSeq,
} from 'yaml';

const TO_STRING = { lineWidth: 0 } as const;

/** Schema URLs of the `# yaml-language-server` line, per kind (as used across gitops/). */
export const SCHEMAS: Record<string, string> = {
  Kustomization: 'https://json.schemastore.org/kustomization',
  FluxKustomization:
    'https://kubernetes-schemas.pages.dev/kustomize.toolkit.fluxcd.io/kustomization_v1.json',
  Namespace:
    'https://raw.githubusercontent.com/yannh/kubernetes-json-schema/master/master-standalone-strict/namespace-v1.json',
  ServiceAccount:
    'https://raw.githubusercontent.com/yannh/kubernetes-json-schema/master/master-standalone-strict/serviceaccount-v1.json',
  Deployment:
    'https://raw.githubusercontent.com/yannh/kubernetes-json-schema/master/master-standalone-strict/deployment-apps-v1.json',
  StatefulSet:
    'https://raw.githubusercontent.com/yannh/kubernetes-json-schema/master/master-standalone-strict/statefulset-apps-v1.json',
  Service:
    'https://raw.githubusercontent.com/yannh/kubernetes-json-schema/master/master-standalone-strict/service-v1.json',
  PersistentVolumeClaim:
    'https://raw.githubusercontent.com/yannh/kubernetes-json-schema/master/master-standalone-strict/persistentvolumeclaim-v1.json',
  NetworkPolicy:
    'https://raw.githubusercontent.com/yannh/kubernetes-json-schema/master/master-standalone-strict/networkpolicy-networking-v1.json',
  VaultAuth:
    'https://kubernetes-schemas.pages.dev/secrets.hashicorp.com/vaultauth_v1beta1.json',
  VaultStaticSecret:
    'https://kubernetes-schemas.pages.dev/secrets.hashicorp.com/vaultstaticsecret_v1beta1.json',
};

/** A new YAML document holding `value`, starting with `---`. */
export function newDocument(value: unknown, comment?: string): Document {
  const doc = new Document(value);
  doc.directives!.docStart = true;
  if (comment) doc.contents!.commentBefore = comment;
  return doc;
}

/**
 * A new file: `---`, the schema line, a why-comment, then the objects as documents. Every value
 * is a YAML node built by the library, so user input can never become structure.
 */
export function renderNewFile(opts: {
  schema?: string;
  comment?: string;
  objects: unknown[];
}): string {
  const lines = [
    ...(opts.schema ? [` yaml-language-server: $schema=${opts.schema}`] : []),
    ...(opts.comment ?? '')
      .split('\n')
      .filter(Boolean)
      .map(l => ` ${l}`),
  ];
  return opts.objects
    .map((o, i) =>
      newDocument(
        o,
        i === 0 && lines.length ? lines.join('\n') : undefined,
      ).toString(TO_STRING),
    )
    .join('');
}

/** Parses a multi-document file; throws naming the file when it is not valid YAML. */
export function parseDocuments(text: string, file: string): Document[] {
  const docs = parseAllDocuments(text);
  for (const d of docs) {
    if (d.errors.length > 0) throw new Error(`${file}: ${d.errors[0].message}`);
  }
  return docs as Document[];
}

/** Serialises documents parsed with `parseDocuments`, keeping comments and order. */
export function stringifyDocuments(docs: Document[]): string {
  return docs.map(d => d.toString(TO_STRING)).join('');
}

/** Parses a single-document YAML string (e.g. a block scalar holding YAML). */
export function parseSingle(text: string, what: string): Document {
  const d = parseDocument(text);
  if (d.errors.length > 0) throw new Error(`${what}: ${d.errors[0].message}`);
  return d;
}

/** The document holding the object of that kind and name, if any. */
export function findObject(
  docs: Document[],
  kind: string,
  name: string,
): Document | undefined {
  return docs.find(
    d => d.get('kind') === kind && d.getIn(['metadata', 'name']) === name,
  );
}

/** Makes sure the sequence at `path` exists and holds `value` (appended at the end). */
export function ensureInSeq(
  doc: Document,
  path: (string | number)[],
  value: unknown,
): void {
  const seq = doc.getIn(path, true);
  if (!isSeq(seq)) {
    doc.setIn(path, doc.createNode([value]));
    return;
  }
  if (!(seq as YAMLSeq).items.some(item => sameValue(item, value))) {
    (seq as YAMLSeq).add(doc.createNode(value));
  }
}

function sameValue(node: unknown, value: unknown): boolean {
  const plain =
    node && typeof node === 'object' && 'toJSON' in node
      ? (node as { toJSON(): unknown }).toJSON()
      : node;
  return JSON.stringify(plain) === JSON.stringify(value);
}

/** Sets a scalar (or structure) at `path` only when it differs, so unchanged nodes keep their style. */
export function setIfDifferent(
  doc: Document,
  path: (string | number)[],
  value: unknown,
): void {
  const current = doc.getIn(path, true);
  if (current !== undefined && sameValue(current, value)) return;
  if (isMap(current) && typeof value === 'object') {
    doc.setIn(path, doc.createNode(value));
    return;
  }
  doc.setIn(path, doc.createNode(value));
}

export type { YAMLMap };
