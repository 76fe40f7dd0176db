import { createHash } from 'node:crypto';
import path from 'node:path';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { parseAllDocuments } from 'yaml';
import { TreeDirEntry, TreeEntryStat, TreeSource } from './TreeSource';

/**
 * A problem with one file, reported with the file and the reason.
 *
 * @public
 */
export interface FileError {
  /** Repository-relative path. */
  file: string;
  reason: string;
}

interface Entry {
  /** `size:mtimeMs` when the file was read: unchanged means the parse is reused unread. */
  stamp: string;
  hash: string;
  docs: unknown[];
  error?: string;
}

const YAML_FILE = /\.ya?ml$/;

/** Files {@link YamlDocumentCache.readMany} reads at once: enough to keep the file system busy. */
const READ_CONCURRENCY = 32;

/**
 * Reads YAML files of a {@link TreeSource} by repository-relative path. A file is read again
 * only when its size or modification time changed, and parsed again only when its content hash
 * changed. Every read yields to the event loop first, so a full tree read interleaves with
 * request handling instead of stalling it. A file that stops parsing keeps its last good
 * documents (and is reported), so one malformed file never drops what other files, or its own
 * earlier version, contributed.
 *
 * Within one read pass (from {@link YamlDocumentCache.begin} to the next), each path is looked at
 * and each directory listed once: a pass sees one state of every path it touches, however often
 * the reader asks, and an unchanged tree costs one stat per file.
 *
 * @public
 */
export class YamlDocumentCache {
  private readonly entries = new Map<string, Entry>();
  private readonly lastGood = new Map<string, unknown[]>();
  private touched = new Map<string, string>();
  private errors: FileError[] = [];
  private stats = new Map<string, Promise<TreeEntryStat | undefined>>();
  private lists = new Map<string, Promise<TreeDirEntry[]>>();

  constructor(readonly source: TreeSource) {}

  /** Starts a read pass: forgets which files were read, what was seen, and the last errors. */
  begin(): void {
    this.touched = new Map();
    this.errors = [];
    this.stats = new Map();
    this.lists = new Map();
  }

  /**
   * Takes over the parses of a cache of an earlier tree at the same paths (an ExternalArtifact
   * view built again for this pass). Each is used only after its file's content is read and
   * found unchanged, since the path may now come from another file.
   */
  reuseParsesOf(previous: YamlDocumentCache): void {
    for (const [rel, entry] of previous.entries) {
      if (!this.entries.has(rel))
        this.entries.set(rel, { ...entry, stamp: '' });
    }
    for (const [rel, docs] of previous.lastGood) {
      if (!this.lastGood.has(rel)) this.lastGood.set(rel, docs);
    }
  }

  private stat(rel: string): Promise<TreeEntryStat | undefined> {
    let stat = this.stats.get(rel);
    if (!stat) {
      stat = this.source.stat(rel);
      // Kept rejected: the reader that awaits it reports the error.
      stat.catch(() => {});
      this.stats.set(rel, stat);
    }
    return stat;
  }

  private list(rel: string): Promise<TreeDirEntry[]> {
    let list = this.lists.get(rel);
    if (!list) {
      list = this.source.list(rel);
      list.catch(() => {});
      this.lists.set(rel, list);
    }
    return list;
  }

  /** Content hash of every file read in this pass, by path: the input of a delta decision. */
  fingerprint(): Map<string, string> {
    return new Map(this.touched);
  }

  /** Errors of this pass. */
  fileErrors(): FileError[] {
    return [...this.errors];
  }

  /**
   * Takes in what another cache read in its own pass (another source reached from this tree),
   * its paths prefixed, so one fingerprint and one error list cover everything a read used.
   */
  absorb(other: YamlDocumentCache, prefix: string): void {
    for (const [file, hash] of other.touched)
      this.touched.set(`${prefix}${file}`, hash);
    for (const e of other.errors) this.report(`${prefix}${e.file}`, e.reason);
  }

  /** Records a problem found while interpreting a file's content. */
  report(file: string, reason: string): void {
    if (!this.errors.some(e => e.file === file && e.reason === reason)) {
      this.errors.push({ file, reason });
    }
  }

  async exists(rel: string): Promise<boolean> {
    return (await this.statOrUndefined(rel)) !== undefined;
  }

  async isDirectory(rel: string): Promise<boolean> {
    return (await this.statOrUndefined(rel))?.kind === 'directory';
  }

  /** YAML files under a directory, recursively, sorted; symbolic links are not followed. */
  async listYaml(relDir: string): Promise<string[]> {
    const out: string[] = [];
    const walk = async (rel: string) => {
      let entries;
      try {
        entries = await this.list(rel);
      } catch {
        return;
      }
      for (const e of entries) {
        const child = path.posix.join(rel, e.name);
        if (e.kind === 'directory') await walk(child);
        else if (YAML_FILE.test(e.name)) out.push(child);
      }
    };
    await walk(relDir);
    return out.sort();
  }

  /** The YAML documents of a file (plain objects); `[]` when missing or never parsed. */
  async read(rel: string): Promise<unknown[]> {
    await yieldToEventLoop();
    let entry = this.entries.get(rel);
    let stamp: string;
    try {
      const stat = await this.stat(rel);
      if (stat?.kind !== 'file') throw new Error('no such file');
      stamp = `${stat.size}:${stat.mtimeMs}`;
      if (!entry || entry.stamp !== stamp) {
        const text = await this.source.readText(rel);
        const hash = createHash('sha256').update(text).digest('hex');
        entry =
          entry && entry.hash === hash
            ? { ...entry, stamp }
            : parseEntry(text, hash, stamp);
        this.entries.set(rel, entry);
        if (!entry.error) this.lastGood.set(rel, entry.docs);
      }
    } catch (e) {
      this.touched.set(rel, 'missing');
      this.report(rel, `cannot be read: ${(e as Error).message}`);
      return [];
    }
    this.touched.set(rel, entry.hash);
    if (entry.error) {
      const kept = this.lastGood.get(rel);
      this.report(
        rel,
        kept ? `${entry.error} (keeping its last valid version)` : entry.error,
      );
      return kept ?? [];
    }
    return entry.docs;
  }

  /**
   * The documents of many files, read several at a time (the file system works in parallel;
   * each read still yields to the event loop first), in the order given.
   */
  async readMany(files: readonly string[]): Promise<unknown[][]> {
    const out: unknown[][] = new Array(files.length);
    let next = 0;
    const worker = async () => {
      while (next < files.length) {
        const i = next++;
        out[i] = await this.read(files[i]);
      }
    };
    await Promise.all(
      Array.from({ length: Math.min(READ_CONCURRENCY, files.length) }, worker),
    );
    return out;
  }

  private async statOrUndefined(rel: string) {
    try {
      return await this.stat(rel);
    } catch {
      return undefined;
    }
  }
}

/**
 * Parses a YAML stream; the error names the line of the first problem.
 *
 * @public
 */
export function parseYamlDocuments(text: string): {
  docs: unknown[];
  error?: string;
} {
  const list = parseAllDocuments(text);
  const docs = Array.isArray(list) ? list : [list];
  for (const doc of docs) {
    if (doc.errors.length > 0) {
      const err = doc.errors[0];
      const line = err.linePos?.[0]?.line;
      return {
        docs: [],
        error: `invalid YAML${line ? ` at line ${line}` : ''}: ${
          err.message.split('\n')[0]
        }`,
      };
    }
  }
  return {
    docs: docs.map(d => d.toJS()).filter(d => d !== null && d !== undefined),
  };
}

function parseEntry(text: string, hash: string, stamp: string): Entry {
  return { stamp, hash, ...parseYamlDocuments(text) };
}
