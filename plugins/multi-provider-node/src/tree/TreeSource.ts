import fs from 'node:fs/promises';
import path from 'node:path';

/**
 * What a tree source knows about one path without reading it.
 *
 * @public
 */
export interface TreeEntryStat {
  kind: 'file' | 'directory';
  size: number;
  /** Modification time in milliseconds; with `size`, the key under which a parse is reused. */
  mtimeMs: number;
}

/**
 * A child of a directory in a tree source.
 *
 * @public
 */
export interface TreeDirEntry {
  name: string;
  kind: 'file' | 'directory';
}

/**
 * A repository tree read by repository-relative POSIX paths (`gitops/clusters/lab`). The reader
 * and the registry loader only ever see this interface, so a tree can come from a local folder
 * today and from a Flux source artifact or a Git host later. Implementations never follow a
 * symbolic link and refuse a path that leaves the tree.
 *
 * @public
 */
export interface TreeSource {
  /** A human-readable name of where the tree comes from, used in error messages. */
  readonly description: string;
  /** `undefined` when nothing is at that path (or it is neither a file nor a directory). */
  stat(relPath: string): Promise<TreeEntryStat | undefined>;
  /** The files and directories directly in a directory, sorted by name. */
  list(relDir: string): Promise<TreeDirEntry[]>;
  readText(relPath: string): Promise<string>;
  /**
   * The directory on local disk holding this tree, when there is one: the kustomize engine
   * renders from disk. A source without one must be materialised before rendering.
   */
  readonly localRoot?: string;
}

/**
 * Resolves a repository-relative path inside `root`; throws when it would leave the root.
 *
 * @public
 */
export function resolveInside(root: string, relPath: string): string {
  const abs = path.resolve(root, relPath);
  const rel = path.relative(root, abs);
  if (rel.startsWith('..') || path.isAbsolute(rel)) {
    throw new Error(`path ${relPath} leaves the tree ${root}`);
  }
  return abs;
}

/**
 * Code-unit order, as `Array.prototype.sort` orders strings: the order every tree source lists a
 * directory in, so listings (and what is derived from them) do not depend on the locale.
 *
 * @public
 */
export function byName(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

/**
 * A tree on local disk, read with `fs.promises` so reading never blocks the event loop.
 *
 * @public
 */
export class LocalTreeSource implements TreeSource {
  readonly localRoot: string;
  readonly description: string;

  constructor(root: string) {
    this.localRoot = path.resolve(root);
    this.description = this.localRoot;
  }

  async stat(relPath: string): Promise<TreeEntryStat | undefined> {
    try {
      const s = await fs.lstat(resolveInside(this.localRoot, relPath));
      if (!s.isFile() && !s.isDirectory()) return undefined;
      return {
        kind: s.isFile() ? 'file' : 'directory',
        size: s.size,
        mtimeMs: s.mtimeMs,
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
  }

  async list(relDir: string): Promise<TreeDirEntry[]> {
    const dirents = await fs.readdir(resolveInside(this.localRoot, relDir), {
      withFileTypes: true,
    });
    return dirents
      .filter(d => d.isFile() || d.isDirectory())
      .map(d => ({
        name: d.name,
        kind: d.isFile() ? ('file' as const) : ('directory' as const),
      }))
      .sort((a, b) => byName(a.name, b.name));
  }

  async readText(relPath: string): Promise<string> {
    return await fs.readFile(resolveInside(this.localRoot, relPath), 'utf8');
  }
}
