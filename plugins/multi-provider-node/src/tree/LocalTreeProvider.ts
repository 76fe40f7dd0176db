import type { LoggerService } from '@backstage/backend-plugin-api';
import fs from 'node:fs';
import path from 'node:path';
import type { StartableGitopsTreeProvider } from './createGitopsTreeProvider';
import type { TreeChanges, TreeSnapshot } from './GitopsTreeProvider';
import { LocalTreeSource } from './TreeSource';

/**
 * The revision a local tree is read at: whatever is in the folder now.
 *
 * @public
 */
export const WORKING_COPY_REVISION = 'working-copy';

/**
 * How long the folder must be quiet after a change before a new snapshot is published: an
 * editor's save or a `git checkout` is a burst of events that should make one snapshot.
 *
 * @public
 */
export const DEFAULT_LOCAL_TREE_DEBOUNCE_MS = 200;

/**
 * Options of {@link LocalTreeProvider}.
 *
 * @public
 */
export interface LocalTreeProviderOptions {
  /** Quiet time before a change is published; default {@link DEFAULT_LOCAL_TREE_DEBOUNCE_MS}. */
  debounceMs?: number;
  /** Where a watch that cannot start or fails is reported. */
  logger?: LoggerService;
  /**
   * Folder-relative POSIX paths of the parts of the folder the readers use (the Flux tree, the
   * catalog files); only these are watched. Absent: the whole folder. A repository root holds
   * `node_modules` and build output, and a recursive watch walks every folder under it first.
   */
  watchPaths?: string[];
}

/** Git's own bookkeeping changes on every command and is never part of the tree. */
const ignored = (rel: string) => rel === '.git' || rel.startsWith('.git/');

/**
 * A folder on disk, for development. Once started it watches the folder (recursively; `.git`
 * ignored) and, when a burst of changes has settled, publishes a new snapshot naming the paths
 * that changed, so readers re-read only those; `stop()` ends the watch. Not started (the
 * preview command, tests), it serves one snapshot and the readers notice edits only where they
 * look at files again.
 *
 * @public
 */
export class LocalTreeProvider implements StartableGitopsTreeProvider {
  readonly description: string;
  private readonly root: string;
  private readonly debounceMs: number;
  private snapshot: TreeSnapshot;
  private readonly listeners = new Set<(s: TreeSnapshot) => void>();
  private watchers: fs.FSWatcher[] = [];
  private timer?: NodeJS.Timeout;
  private changed = new Set<string>();
  /** A change the watch could not name: the next snapshot says nothing of what changed. */
  private unnamed = false;

  constructor(
    root: string,
    private readonly options: LocalTreeProviderOptions = {},
  ) {
    const source = new LocalTreeSource(root);
    this.root = source.localRoot;
    this.description = `local folder ${this.root}`;
    this.debounceMs = options.debounceMs ?? DEFAULT_LOCAL_TREE_DEBOUNCE_MS;
    this.snapshot = this.snapshotOf(source);
  }

  private snapshotOf(source: LocalTreeSource, changes?: TreeChanges) {
    return {
      source,
      origin: {
        kind: 'local' as const,
        location: this.root,
        revision: WORKING_COPY_REVISION,
      },
      ...(changes ? { changes } : {}),
    };
  }

  async current(): Promise<TreeSnapshot> {
    return this.snapshot;
  }

  subscribe(listener: (snapshot: TreeSnapshot) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Starts watching the folder; a platform without recursive watching is reported, not fatal. */
  async start(): Promise<void> {
    if (this.watchers.length) return;
    const parts = [
      ...new Set(
        (this.options.watchPaths ?? ['.']).map(p => path.posix.normalize(p)),
      ),
    ];
    try {
      for (const part of parts) {
        const prefix = part === '.' ? '' : `${part.replace(/\/$/, '')}/`;
        const watcher = fs.watch(
          path.join(this.root, part),
          { recursive: true },
          (_event, name) =>
            this.noticed(name === null ? null : `${prefix}${name.toString()}`),
        );
        watcher.on('error', err => {
          this.options.logger?.warn(
            `${this.description}: watching ${part} failed (${err}); stopped watching`,
          );
          void this.stop();
        });
        this.watchers.push(watcher);
      }
    } catch (err) {
      this.options.logger?.warn(
        `${this.description}: cannot watch the folder (${err}); edits show only when the tree is read again`,
      );
      await this.stop();
    }
  }

  /** Stops watching; a change not yet published is dropped. */
  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.watchers.forEach(w => w.close());
    this.watchers = [];
    this.changed = new Set();
    this.unnamed = false;
  }

  private noticed(name: string | null) {
    if (name === null) this.unnamed = true;
    else {
      const rel = name.split(path.sep).join('/');
      if (ignored(rel)) return;
      this.changed.add(rel);
    }
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.publish(), this.debounceMs);
  }

  private publish() {
    this.timer = undefined;
    if (!this.watchers.length) return;
    const paths = this.changed;
    const unnamed = this.unnamed;
    this.changed = new Set();
    this.unnamed = false;
    // A new source object per snapshot: a reader's cache tells snapshots apart by their source.
    this.snapshot = this.snapshotOf(
      new LocalTreeSource(this.root),
      unnamed ? undefined : { since: this.snapshot.source, paths },
    );
    for (const listener of this.listeners) listener(this.snapshot);
  }
}
