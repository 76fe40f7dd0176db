import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { withFluxSpec } from './fluxKustomization';
import { KUSTOMIZE_FILES } from './kustomizationFiles';
import {
  byName,
  LocalTreeSource,
  resolveInside,
  TreeSource,
} from './TreeSource';

type Obj = Record<string, any>;

const isObj = (v: unknown): v is Obj =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** A temporary tree to build from; `dispose` removes it. */
export interface FluxSpecView {
  source: TreeSource;
  dispose(): void;
}

/**
 * A tree in which the folder `relDir` holds the kustomization file kustomize-controller builds
 * for the Flux Kustomization `ks`: the folder's own with the spec written into it by the reader's
 * rule (`withFluxSpec`), or, for a folder without one, the file Flux generates listing its
 * manifests. Building that folder with kustomize then yields what Flux applies, the folder's
 * own top-level prefix, suffix and namespace replaced rather than composed with an overlay.
 *
 * The source is never written. The view is a temporary folder where each ancestor of `relDir`
 * links to its other entries (so `../base` resolves as in the source) and `relDir` itself is a
 * copy: kustomize refuses a file whose real path is outside the folder it builds, so the
 * folder's own files cannot be links. Undefined when the spec writes nothing: the folder builds
 * as it is.
 */
export async function fluxSpecView(
  source: TreeSource,
  relDir: string,
  ks: Obj,
): Promise<FluxSpecView | undefined> {
  if (Object.keys(withFluxSpec({}, ks)).length === 0) return undefined;
  const entries = await source.list(relDir);
  const kfile = KUSTOMIZE_FILES.find(n =>
    entries.some(e => e.kind === 'file' && e.name === n),
  );
  // Flux generates a kustomization of a plain folder's manifests (as `kustomizeBuild` reads them).
  let own: Obj = {
    resources: entries
      .filter(e => e.kind === 'file' && /\.ya?ml$/.test(e.name))
      .map(e => e.name)
      .sort(byName),
  };
  if (kfile) {
    const doc: unknown = parse(
      await source.readText(path.posix.join(relDir, kfile)),
    );
    own = isObj(doc) ? doc : {};
  }
  const written = withFluxSpec(own, ks);
  if (JSON.stringify(written) === JSON.stringify(own)) return undefined;

  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'flux-spec-view-'));
  try {
    const parts = relDir === '.' ? [] : relDir.split('/');
    // Each ancestor: a real folder linking to every entry but the next one on the way.
    for (let i = 0; i < parts.length && source.localRoot; i++) {
      const rel = parts.slice(0, i).join('/') || '.';
      for (const e of await source.list(rel)) {
        if (e.name === parts[i]) continue;
        fs.symlinkSync(
          resolveInside(source.localRoot, path.posix.join(rel, e.name)),
          path.join(root, rel, e.name),
        );
      }
      fs.mkdirSync(path.join(root, rel, parts[i]));
    }
    const dir = path.join(root, ...parts);
    await copyFolder(source, relDir, dir);
    fs.writeFileSync(
      path.join(dir, kfile ?? KUSTOMIZE_FILES[0]),
      stringify(written),
    );
  } catch (e) {
    fs.rmSync(root, { recursive: true, force: true });
    throw e;
  }
  return {
    source: new LocalTreeSource(root),
    dispose: () => fs.rmSync(root, { recursive: true, force: true }),
  };
}

/** Copies a folder of the tree (and below) to `to`, a real copy of every file. */
async function copyFolder(
  source: TreeSource,
  relDir: string,
  to: string,
): Promise<void> {
  if (source.localRoot) {
    fs.cpSync(resolveInside(source.localRoot, relDir), to, {
      recursive: true,
    });
    return;
  }
  fs.mkdirSync(to, { recursive: true });
  for (const e of await source.list(relDir)) {
    const rel = path.posix.join(relDir, e.name);
    if (e.kind === 'directory') {
      await copyFolder(source, rel, path.join(to, e.name));
    } else if (e.kind === 'file') {
      fs.writeFileSync(path.join(to, e.name), await source.readText(rel));
    }
  }
}
