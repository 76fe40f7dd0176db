import path from 'node:path';
import { answersNow } from './answersNow';
import { eventLoopDue, yieldWhenDue } from './eventLoopSlice';
import {
  LocalTreeSource,
  resolveInside,
  TreeDirEntry,
  TreeEntryStat,
  TreeSource,
} from './TreeSource';
import {
  contentHash,
  FileLook,
  ParsedYaml,
  parseYamlInline,
  YamlParsePool,
} from './YamlParsePool';

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
  /** Size and modification time when the file was read: unchanged means the parse is reused unread. */
  size: number;
  mtimeMs: number;
  hash: string;
  docs: unknown[];
  error?: string;
}

const YAML_FILE = /\.ya?ml$/;

/** Files {@link YamlDocumentCache.readMany} reads at once: enough to keep the file system and the parse workers busy, few enough to bound the texts waiting. */
const READ_CONCURRENCY = 32;

/** Files {@link YamlDocumentCache.readMany} must have to look at before it uses the parse workers. */
const POOL_MIN_FILES = 64;

/**
 * Options of {@link YamlDocumentCache}.
 *
 * @public
 */
export interface YamlDocumentCacheOptions {
  /**
   * Where {@link YamlDocumentCache.readMany} parses: a pool of worker threads (default: the
   * process's shared pool), or `false` for the main thread. Single reads parse in the main thread.
   */
  parsePool?: YamlParsePool | false;
}

/**
 * Reads YAML files of a {@link TreeSource} by repository-relative path. A file is read again
 * only when its size or modification time changed, and parsed again only when its content hash
 * changed. Reading yields to the event loop whenever it has held the thread for a few
 * milliseconds, and {@link YamlDocumentCache.readMany} parses in worker threads, so a full tree
 * read interleaves with request handling instead of stalling it. A file that stops parsing keeps
 * its last good documents (and is reported), so one malformed file never drops what other files,
 * or its own earlier version, contributed.
 *
 * Within one read pass (from {@link YamlDocumentCache.begin} to the next), each path is looked at
 * and each directory listed once: a pass sees one state of every path it touches, however often
 * the reader asks, and an unchanged tree costs one stat per file. When the pass is told which
 * paths changed since the last one (`begin(changed)`), it keeps what the last pass saw of every
 * other path and costs nothing per unchanged file. The cache of a tree's next revision
 * ({@link YamlDocumentCache.next}) starts from this one's the same way.
 *
 * @public
 */
export class YamlDocumentCache {
  private readonly entries = new Map<string, Entry>();
  private readonly lastGood = new Map<string, unknown[]>();
  private touched = new Map<string, string>();
  private errors: FileError[] = [];
  private stats = new Map<string, Promise<TreeEntryStat | undefined>>();
  /** The stats of this pass that have arrived, for reads answered without waiting. */
  private statValues = new Map<string, TreeEntryStat | undefined>();
  private lists = new Map<string, Promise<TreeDirEntry[]>>();
  /** Set by {@link YamlDocumentCache.next}: the first pass keeps what the previous tree saw. */
  private carried = false;
  private readonly parsePool: YamlParsePool | false;
  /** What readers derive from this tree's files, handed on to the next revision's cache. */
  private readonly derived: Map<object, unknown>;

  constructor(
    readonly source: TreeSource,
    options: YamlDocumentCacheOptions = {},
  ) {
    this.parsePool = options.parsePool ?? YamlParsePool.shared();
    this.derived = new Map();
    answersNow.set(this, (op, rel) => {
      if (op === 'read') return this.unchanged(rel);
      if (!this.statValues.has(rel)) return undefined;
      const stat = this.statValues.get(rel);
      return op === 'exists' ? stat !== undefined : stat?.kind === 'directory';
    });
  }

  /**
   * Starts a read pass: forgets which files were read and the last errors. Without `changed`,
   * every path is looked at again; with it, only those paths (added, removed or modified files
   * and directories) are, and what the last pass saw of the others is kept.
   */
  begin(changed?: Iterable<string>): void {
    this.touched = new Map();
    this.errors = [];
    let paths = changed ? new Set(changed) : undefined;
    // The first pass of a cache made by next() starts from what the previous tree saw.
    if (!paths && this.carried) paths = new Set();
    this.carried = false;
    if (paths) {
      this.forget(paths);
    } else {
      this.stats = new Map();
      this.statValues = new Map();
      this.lists = new Map();
    }
  }

  /**
   * The cache of the next revision of this tree, read through `source`. With `changed` (the
   * paths that differ between the two revisions, from the provider), its first pass takes over
   * everything this cache saw of the other paths, unread; without it, it takes over the parses,
   * each used only once its file's content is read and found unchanged. Either way it takes over
   * what readers derived from the files ({@link YamlDocumentCache.derivedState}).
   */
  next(
    source: TreeSource,
    changed?: ReadonlySet<string>,
    options: YamlDocumentCacheOptions = {},
  ): YamlDocumentCache {
    const cache = new YamlDocumentCache(source, {
      parsePool: options.parsePool ?? this.parsePool,
    });
    for (const [key, value] of this.derived) cache.derived.set(key, value);
    if (!changed) {
      cache.reuseParsesOf(this);
      return cache;
    }
    for (const [rel, entry] of this.entries) cache.entries.set(rel, entry);
    for (const [rel, docs] of this.lastGood) cache.lastGood.set(rel, docs);
    cache.stats = new Map(this.stats);
    cache.statValues = new Map(this.statValues);
    cache.lists = new Map(this.lists);
    cache.forget(changed);
    cache.carried = true;
    return cache;
  }

  /**
   * State a reader derives from this tree's files and keeps across passes and revisions (it
   * must check what it reuses against the files), one per `key`.
   */
  derivedState<T>(key: object, create: () => T): T {
    if (!this.derived.has(key)) this.derived.set(key, create());
    return this.derived.get(key) as T;
  }

  /**
   * Drops what the last pass saw of these paths: their stats and listings, their ancestors'
   * (whose listings may have changed), and everything under a path that was or is a directory.
   */
  private forget(paths: ReadonlySet<string>) {
    if (paths.size === 0) return;
    const dirs = new Set<string>();
    for (const p of paths) {
      this.stats.delete(p);
      this.statValues.delete(p);
      this.lists.delete(p);
      dirs.add(p);
      for (let d = path.posix.dirname(p); ; d = path.posix.dirname(d)) {
        this.stats.delete(d);
        this.statValues.delete(d);
        this.lists.delete(d);
        if (d === '.' || d === '/' || d === '') break;
      }
    }
    // A removed or replaced directory takes everything under it along; a file has nothing under it.
    const under = [...dirs].filter(d => !this.entries.has(d));
    if (under.length === 0) return;
    for (const memo of [this.stats, this.statValues, this.lists] as Array<
      Map<string, unknown>
    >) {
      for (const key of [...memo.keys()]) {
        if (under.some(d => key.startsWith(`${d}/`))) memo.delete(key);
      }
    }
  }

  /**
   * Takes over the parses of a cache of an earlier tree at the same paths (an ExternalArtifact
   * view built again for this pass). Each is used only after its file's content is read and
   * found unchanged, since the path may now come from another file.
   */
  reuseParsesOf(previous: YamlDocumentCache): void {
    for (const [rel, entry] of previous.entries) {
      if (!this.entries.has(rel))
        this.entries.set(rel, { ...entry, size: -1, mtimeMs: -1 });
    }
    for (const [rel, docs] of previous.lastGood) {
      if (!this.lastGood.has(rel)) this.lastGood.set(rel, docs);
    }
  }

  private stat(rel: string): Promise<TreeEntryStat | undefined> {
    let stat = this.stats.get(rel);
    if (!stat) {
      const pending = this.source.stat(rel);
      stat = pending;
      // Kept rejected: the reader that awaits it reports the error.
      pending.then(
        value => {
          if (this.stats.get(rel) === pending) this.statValues.set(rel, value);
        },
        () => {},
      );
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
  read(rel: string): Promise<unknown[]> {
    const docs = this.unchanged(rel);
    if (!docs) return this.load(rel, false);
    return eventLoopDue()
      ? yieldWhenDue().then(() => docs)
      : Promise.resolve(docs);
  }

  /**
   * The documents of a file this pass already knows unchanged (its stat arrived and matches
   * the parse), counted as read; `undefined` when that takes a look at the file.
   */
  private unchanged(rel: string): unknown[] | undefined {
    const stat = this.statValues.get(rel);
    const entry = this.entries.get(rel);
    if (
      stat?.kind !== 'file' ||
      !entry ||
      entry.error ||
      entry.size !== stat.size ||
      entry.mtimeMs !== stat.mtimeMs
    ) {
      return undefined;
    }
    this.touched.set(rel, entry.hash);
    return entry.docs;
  }

  private async load(
    rel: string,
    inPool: boolean,
    report: (file: string, reason: string) => void = (f, r) =>
      this.report(f, r),
  ): Promise<unknown[]> {
    await yieldWhenDue();
    let entry = this.entries.get(rel);
    try {
      // Not looked at yet in this pass: in the pool, one trip to a worker looks, reads and parses.
      const early =
        inPool && !this.stats.has(rel)
          ? await this.lookInPool(rel, entry)
          : undefined;
      const stat = early ? early.stat ?? undefined : await this.stat(rel);
      if (stat?.kind !== 'file') throw new Error('no such file');
      const { size, mtimeMs } = stat;
      if (!entry || entry.size !== size || entry.mtimeMs !== mtimeMs) {
        const got =
          early?.hash !== undefined
            ? { hash: early.hash, parsed: early.parsed }
            : await this.readAndParse(rel, entry?.hash, inPool);
        entry =
          entry && entry.hash === got.hash
            ? { ...entry, size, mtimeMs }
            : { size, mtimeMs, hash: got.hash, ...got.parsed! };
        this.entries.set(rel, entry);
        if (!entry.error) this.lastGood.set(rel, entry.docs);
      }
    } catch (e) {
      this.touched.set(rel, 'missing');
      report(rel, `cannot be read: ${(e as Error).message}`);
      return [];
    }
    this.touched.set(rel, entry.hash);
    if (entry.error) {
      const kept = this.lastGood.get(rel);
      report(
        rel,
        kept ? `${entry.error} (keeping its last valid version)` : entry.error,
      );
      return kept ?? [];
    }
    return entry.docs;
  }

  /**
   * A file's content hash, and its documents unless the hash is `knownHash`. In the pool, a file
   * on local disk is read by the worker too, so the main thread neither reads nor hashes it.
   */
  private async readAndParse(
    rel: string,
    knownHash: string | undefined,
    inPool: boolean,
  ): Promise<{ hash: string; parsed?: ParsedYaml }> {
    const pool = inPool ? this.parsePool : false;
    const local = this.localFile(rel);
    if (pool && local !== undefined) {
      const got = await pool.look(local, { hash: knownHash });
      if (got?.hash !== undefined)
        return { hash: got.hash, parsed: got.parsed };
    }
    const text = await this.source.readText(rel);
    const hash = contentHash(text);
    if (hash === knownHash) return { hash };
    return {
      hash,
      parsed: pool ? await pool.parse(text) : parseYamlDocuments(text),
    };
  }

  /**
   * Looks at a file in a worker (and reads and parses it there unless `entry` is still its
   * content), and keeps the look as this pass's stat of the path. `undefined` when the pool
   * cannot do it: the caller looks in the main thread.
   */
  private async lookInPool(
    rel: string,
    entry: Entry | undefined,
  ): Promise<FileLook | undefined> {
    const local = this.parsePool ? this.localFile(rel) : undefined;
    if (local === undefined || !this.parsePool) return undefined;
    const look = await this.parsePool.look(
      local,
      entry && { size: entry.size, mtimeMs: entry.mtimeMs, hash: entry.hash },
    );
    if (!look || this.stats.has(rel)) return undefined;
    const stat = look.stat ?? undefined;
    this.stats.set(rel, Promise.resolve(stat));
    this.statValues.set(rel, stat);
    return look;
  }

  /** The file on disk the source's `stat` and `readText` look at, when it is a plain local folder. */
  private localFile(rel: string): string | undefined {
    const source = this.source;
    if (
      !(source instanceof LocalTreeSource) ||
      source.readText !== LocalTreeSource.prototype.readText ||
      source.stat !== LocalTreeSource.prototype.stat
    ) {
      return undefined;
    }
    return resolveInside(source.localRoot, rel);
  }

  /**
   * The documents of many files, read several at a time and parsed in the worker pool (the file
   * system and the workers work in parallel; the main thread still yields), in the order given.
   */
  async readMany(files: readonly string[]): Promise<unknown[][]> {
    const out: unknown[][] = new Array(files.length);
    const pending: number[] = [];
    for (let i = 0; i < files.length; i++) {
      const docs = this.unchanged(files[i]);
      if (docs) out[i] = docs;
      else pending.push(i);
      if (eventLoopDue()) await yieldWhenDue();
    }
    // A few files parse faster here than a worker starts.
    const inPool = pending.length >= POOL_MIN_FILES;
    // Reported in the order asked, whichever read finishes first.
    const problems: Array<Array<[string, string]>> = [];
    let next = 0;
    const worker = async () => {
      while (next < pending.length) {
        const i = pending[next++];
        out[i] = await this.load(files[i], inPool, (f, r) =>
          (problems[i] ??= []).push([f, r]),
        );
      }
    };
    await Promise.all(
      Array.from(
        { length: Math.min(READ_CONCURRENCY, pending.length) },
        worker,
      ),
    );
    for (const fileProblems of problems) {
      for (const [f, r] of fileProblems ?? []) this.report(f, r);
    }
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
export function parseYamlDocuments(text: string): ParsedYaml {
  return parseYamlInline(text);
}
