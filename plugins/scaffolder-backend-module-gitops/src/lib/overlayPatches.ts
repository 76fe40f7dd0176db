import { ChangeSet } from './ChangeSet';
import { newDocument, parseDocuments, stringifyDocuments } from './yamlFiles';
import { isSeq, YAMLSeq } from 'yaml';

/** A JSON6902 patch as the YAML text kustomize's `patch:` field holds (built by the library). */
export function renderPatch(ops: unknown[]): string {
  return newDocument(ops)
    .toString({ lineWidth: 0 })
    .replace(/^---\n/, '')
    .trimEnd();
}

/**
 * Makes sure an overlay's kustomization.yaml has a patch for `target` with exactly `ops`:
 * adds it when absent, replaces its text when it differs, leaves the file untouched otherwise.
 */
export async function ensureOverlayPatch(
  cs: ChangeSet,
  overlayDir: string,
  target: { kind: string; name: string },
  ops: unknown[],
) {
  const file = `${overlayDir}/kustomization.yaml`;
  const docs = parseDocuments((await cs.read(file))!, file);
  const doc = docs[0];
  const text = renderPatch(ops);
  const patches = doc.get('patches', true);
  const list = isSeq(patches) ? (patches as YAMLSeq).items : [];
  const existing = list.findIndex(item => {
    const t = (item as { toJSON(): any }).toJSON()?.target;
    return t?.kind === target.kind && t?.name === target.name;
  });
  if (existing >= 0) {
    if (doc.getIn(['patches', existing, 'patch']) === text) return;
    doc.setIn(['patches', existing, 'patch'], text);
  } else if (isSeq(patches)) {
    (patches as YAMLSeq).add(doc.createNode({ target, patch: text }));
  } else {
    doc.set('patches', doc.createNode([{ target, patch: text }]));
  }
  await cs.write(file, stringifyDocuments(docs));
}
