import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { yieldWhenDue } from './eventLoopSlice';

/**
 * Every regular file of a tree on disk by repository-relative POSIX path, with its size and
 * content hash (`<size>:<sha256>`): what two extractions of a tree are compared by, since a fresh
 * extraction gives every file a new modification time.
 *
 * @public
 */
export type TreeManifest = ReadonlyMap<string, string>;

/** Files hashed at once: the file system works in parallel. */
const CONCURRENCY = 16;

/**
 * The {@link TreeManifest} of the tree in `dir`. Symbolic links and other non-regular entries
 * are left out, as the tree sources leave them out.
 *
 * @public
 */
export async function readTreeManifest(dir: string): Promise<TreeManifest> {
  const entries = await fs.readdir(dir, {
    recursive: true,
    withFileTypes: true,
  });
  const files = entries
    .filter(e => e.isFile())
    .map(e =>
      path
        .relative(dir, path.join(e.parentPath, e.name))
        .split(path.sep)
        .join('/'),
    );
  const manifest = new Map<string, string>();
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const rel = files[next++];
      await yieldWhenDue();
      const content = await fs.readFile(path.join(dir, rel));
      manifest.set(
        rel,
        `${content.length}:${createHash('sha256')
          .update(content)
          .digest('hex')}`,
      );
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return manifest;
}

/**
 * The paths whose file was added, removed or modified from `previous` to `next`.
 *
 * @public
 */
export function changedPaths(
  previous: TreeManifest,
  next: TreeManifest,
): Set<string> {
  const changed = new Set<string>();
  for (const [rel, id] of next) if (previous.get(rel) !== id) changed.add(rel);
  for (const rel of previous.keys()) if (!next.has(rel)) changed.add(rel);
  return changed;
}
