import fs from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { resolveWorkspacePath } from './safePath';

/** What a change would do (dry run) or did: workspace-relative paths, sorted. */
export interface ChangeSummary {
  created: string[];
  changed: string[];
}

/**
 * Writes staged in memory, applied all together. Reads see earlier staged writes, so an action
 * can compose several edits of one file. `apply` writes every file to a temporary sibling, then
 * renames; if anything fails, originals are restored and new files and directories removed,
 * so a failed action leaves the workspace as it was.
 */
export class ChangeSet {
  private readonly staged = new Map<string, string>();
  private readonly original = new Map<string, string | undefined>();

  /**
   * @param overlay - files earlier dry-run steps of the same task would have written: read as
   * if they were on disk, so a dry run of a whole template works without writing anything.
   */
  constructor(
    readonly workspacePath: string,
    private readonly overlay: ReadonlyMap<string, string> = new Map(),
  ) {}

  /** The file's content (staged, overlay or on disk), undefined when absent. */
  async read(rel: string, field = 'path'): Promise<string | undefined> {
    const key = path.posix.normalize(rel);
    if (this.staged.has(key)) return this.staged.get(key);
    return this.readBase(key, field);
  }

  /** The staged files (for carrying a dry run over to the next step). */
  stagedFiles(): ReadonlyMap<string, string> {
    return this.staged;
  }

  /** Whether a workspace-relative directory exists (symlinks checked as for files). */
  async isDirectory(rel: string, field = 'path'): Promise<boolean> {
    const abs = await resolveWorkspacePath(this.workspacePath, rel, field);
    const prefix = `${path.posix.normalize(rel)}/`;
    if (
      [...this.overlay.keys(), ...this.staged.keys()].some(k =>
        k.startsWith(prefix),
      )
    ) {
      return true;
    }
    try {
      return (await fs.lstat(abs)).isDirectory();
    } catch {
      return false;
    }
  }

  /** The entries of a directory that are themselves directories (never through symlinks). */
  async listDirectories(rel: string, field = 'path'): Promise<string[]> {
    const abs = await resolveWorkspacePath(this.workspacePath, rel, field);
    try {
      const entries = await fs.readdir(abs, { withFileTypes: true });
      return this.withPending(
        rel,
        entries.filter(e => e.isDirectory()).map(e => e.name),
      );
    } catch {
      return this.withPending(rel, []);
    }
  }

  /** Directory names under `rel` that exist only in the overlay or staged writes, added. */
  private withPending(rel: string, names: string[]): string[] {
    const prefix = `${path.posix.normalize(rel)}/`;
    const all = new Set(names);
    for (const k of [...this.overlay.keys(), ...this.staged.keys()]) {
      const rest = k.startsWith(prefix) ? k.slice(prefix.length) : '';
      if (rest.includes('/')) all.add(rest.split('/')[0]);
    }
    return [...all].sort();
  }

  /** Regular files directly in a directory (never symlinks), with pending ones added. */
  async listFiles(rel: string, field = 'path'): Promise<string[]> {
    const abs = await resolveWorkspacePath(this.workspacePath, rel, field);
    const prefix = `${path.posix.normalize(rel)}/`;
    const names = new Set<string>();
    try {
      for (const e of await fs.readdir(abs, { withFileTypes: true })) {
        if (e.isFile()) names.add(e.name);
      }
    } catch {
      // absent: only pending files
    }
    for (const k of [...this.overlay.keys(), ...this.staged.keys()]) {
      const rest = k.startsWith(prefix) ? k.slice(prefix.length) : '';
      if (rest && !rest.includes('/')) names.add(rest);
    }
    return [...names].sort();
  }

  /** Stages a write; the path is checked now and again before applying. */
  async write(rel: string, content: string, field = 'path'): Promise<void> {
    const key = path.posix.normalize(rel);
    if (!this.original.has(key)) {
      this.original.set(key, await this.readBase(key, field));
    }
    this.staged.set(key, content);
  }

  /** What applying would do, without writing. */
  summary(): ChangeSummary {
    const created: string[] = [];
    const changed: string[] = [];
    for (const [key, content] of this.staged) {
      const before = this.original.get(key);
      if (before === undefined) created.push(key);
      else if (before !== content) changed.push(key);
    }
    return { created: created.sort(), changed: changed.sort() };
  }

  /** Applies every staged write, all or nothing. */
  async apply(): Promise<ChangeSummary> {
    const result = this.summary();
    const keys = [...result.created, ...result.changed];
    const targets = new Map<string, string>();
    for (const key of keys) {
      targets.set(key, await resolveWorkspacePath(this.workspacePath, key));
      // The file must not have changed since it was read (another step, a concurrent edit).
      if ((await this.readDisk(key)) !== this.original.get(key)) {
        throw new Error(
          `${key} changed on disk while the action ran; nothing was written`,
        );
      }
    }
    const createdDirs: string[] = [];
    const renamed: string[] = [];
    const temps: string[] = [];
    try {
      for (const key of keys) {
        const abs = targets.get(key)!;
        createdDirs.push(...(await mkdirs(path.dirname(abs))));
        const tmp = `${abs}.cloudlab-${randomBytes(6).toString('hex')}.tmp`;
        await fs.writeFile(tmp, this.staged.get(key)!, { flag: 'wx' });
        temps.push(tmp);
      }
      for (let i = 0; i < keys.length; i++) {
        await fs.rename(temps[i], targets.get(keys[i])!);
        renamed.push(keys[i]);
      }
    } catch (error) {
      await Promise.allSettled(temps.map(t => fs.rm(t, { force: true })));
      for (const key of renamed) {
        const before = this.original.get(key);
        const abs = targets.get(key)!;
        if (before === undefined) await fs.rm(abs, { force: true });
        else await fs.writeFile(abs, before);
      }
      for (const dir of createdDirs.reverse()) {
        await fs.rmdir(dir).catch(() => undefined);
      }
      throw error;
    }
    return result;
  }

  private async readBase(
    key: string,
    field: string,
  ): Promise<string | undefined> {
    if (this.overlay.has(key)) {
      await resolveWorkspacePath(this.workspacePath, key, field);
      return this.overlay.get(key);
    }
    return this.readDisk(key, field);
  }

  private async readDisk(
    key: string,
    field = 'path',
  ): Promise<string | undefined> {
    const abs = await resolveWorkspacePath(this.workspacePath, key, field);
    try {
      return await fs.readFile(abs, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return undefined;
      if (code === 'EISDIR') throw new Error(`${field}: ${key} is a directory`);
      throw e;
    }
  }
}

/** mkdir -p that reports the directories it created (outermost first). */
async function mkdirs(dir: string): Promise<string[]> {
  const missing: string[] = [];
  let current = dir;
  for (;;) {
    try {
      await fs.lstat(current);
      break;
    } catch {
      missing.unshift(current);
      current = path.dirname(current);
    }
  }
  for (const d of missing) await fs.mkdir(d);
  return missing;
}
