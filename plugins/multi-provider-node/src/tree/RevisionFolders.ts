import fs from 'node:fs/promises';
import path from 'node:path';

/**
 * The name prefix of an extraction still in progress. Only a complete one is renamed into place
 * under its revision's name, so a revision folder's presence is the proof it is complete.
 */
export const PARTIAL_PREFIX = '.partial-';

/**
 * Moves a complete extraction into place as `to`. When `to` is already there, another
 * extraction of the same revision finished first and holds the same content: that one is kept.
 */
export async function placeRevision(from: string, to: string): Promise<void> {
  try {
    await fs.rename(from, to);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw e;
    await fs.rm(from, { recursive: true, force: true });
  }
}

/**
 * Options of {@link RevisionFolders}.
 */
export interface RevisionFoldersOptions {
  /** The folder owned: one per tree, so revisions of different trees never mix. */
  workDir: string;
  /**
   * Revisions kept: the current one and the ones before it, so a reader still walking the
   * previous revision is not cut off when a new one arrives. At least 1; 2 by default.
   */
  keep?: number;
  /** Which entries of `workDir` are revision folders (others are left alone, partial ones aside). */
  isRevision: (name: string) => boolean;
  /** Names the owner in errors. */
  owner: string;
}

/**
 * The extracted revisions of one tree under one work folder: the one place that decides which
 * revisions stay on disk. Each `use` makes a revision the current one and removes those beyond
 * the `keep` most recently used (by use in this process, then, for folders a previous process
 * left, by modification time, which `use` refreshes), and partial folders a stopped extraction
 * left behind.
 */
export class RevisionFolders {
  readonly workDir: string;
  private readonly keep: number;
  /** Revision names, most recently used first. */
  private recent: string[] = [];

  constructor(private readonly options: RevisionFoldersOptions) {
    this.workDir = path.resolve(options.workDir);
    this.keep = options.keep ?? 2;
    if (!Number.isInteger(this.keep) || this.keep < 1) {
      throw new TypeError(
        `${options.owner}: keep must be an integer of at least 1, got ${options.keep}`,
      );
    }
  }

  /** Where revision `name` is (or would be) kept. */
  path(name: string): string {
    return path.join(this.workDir, name);
  }

  /** Whether revision `name` is complete on disk. */
  async has(name: string): Promise<boolean> {
    try {
      return (await fs.lstat(this.path(name))).isDirectory();
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw e;
    }
  }

  /** A fresh folder to extract a revision into; {@link RevisionFolders.place} completes it. */
  async partial(): Promise<string> {
    await fs.mkdir(this.workDir, { recursive: true });
    return await fs.mkdtemp(path.join(this.workDir, PARTIAL_PREFIX));
  }

  /** Moves a complete extraction from {@link RevisionFolders.partial} into place as `name`. */
  async place(partialDir: string, name: string): Promise<string> {
    const to = this.path(name);
    await placeRevision(partialDir, to);
    return to;
  }

  /**
   * Makes revision `name` the current one and removes what is not kept. Partial folders are
   * removed only when `extracting` is false: an extraction running in this process owns its own.
   * A removal that fails is left for the next `use`, which lists the folder again.
   */
  async use(name: string, options: { extracting?: boolean } = {}) {
    // The modification time orders revisions across restarts, when `recent` is empty.
    const now = new Date();
    await fs.utimes(this.path(name), now, now);
    this.recent = [name, ...this.recent.filter(n => n !== name)];
    const names = await fs.readdir(this.workDir).catch(() => [] as string[]);
    const revisions = await Promise.all(
      names
        .filter(n => this.options.isRevision(n))
        .map(async n => ({
          name: n,
          mtimeMs:
            (await fs.stat(this.path(n)).catch(() => undefined))?.mtimeMs ?? 0,
        })),
    );
    const rank = (n: string) => {
      const i = this.recent.indexOf(n);
      return i === -1 ? Number.MAX_SAFE_INTEGER : i;
    };
    revisions.sort(
      (a, b) => rank(a.name) - rank(b.name) || b.mtimeMs - a.mtimeMs,
    );
    const kept = new Set(revisions.slice(0, this.keep).map(r => r.name));
    this.recent = this.recent.filter(n => kept.has(n));
    const removable = [
      ...revisions.filter(r => !kept.has(r.name)).map(r => r.name),
      ...(options.extracting
        ? []
        : names.filter(n => n.startsWith(PARTIAL_PREFIX))),
    ];
    await Promise.all(
      removable.map(n =>
        fs
          .rm(this.path(n), { recursive: true, force: true })
          .catch(() => undefined),
      ),
    );
  }

  /** Removes every revision and partial folder (nothing else in `workDir`): the tree is no longer read. */
  async removeAll(): Promise<void> {
    this.recent = [];
    const names = await fs.readdir(this.workDir).catch(() => [] as string[]);
    await Promise.all(
      names
        .filter(n => this.options.isRevision(n) || n.startsWith(PARTIAL_PREFIX))
        .map(n => fs.rm(this.path(n), { recursive: true, force: true })),
    );
  }
}
