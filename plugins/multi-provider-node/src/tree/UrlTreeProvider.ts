import type {
  LoggerService,
  SchedulerService,
  UrlReaderService,
} from '@backstage/backend-plugin-api';
import { durationToMilliseconds, HumanDuration } from '@backstage/types';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { GitopsTreeProvider, TreeSnapshot } from './GitopsTreeProvider';
import { LocalTreeSource } from './TreeSource';
import { changedPaths, readTreeManifest, TreeManifest } from './treeManifest';

/**
 * How a {@link UrlTreeProvider} is built.
 *
 * @public
 */
export interface UrlTreeProviderOptions {
  /** A tree URL of a configured integration (`https://host/org/repo/tree/main/gitops`). */
  target: string;
  urlReader: UrlReaderService;
  logger: LoggerService;
  /** A folder this provider owns: each revision is extracted into a fresh folder under it. */
  workDir: string;
  /** Time between two reads of the branch. */
  refresh: HumanDuration;
  /** Runs the refresh when given; otherwise a plain timer that does not hold the process. */
  scheduler?: SchedulerService;
  /** Checks a freshly read tree (that the configured paths exist); a throw rejects the revision. */
  check?: (snapshot: TreeSnapshot) => Promise<void>;
}

/** Revisions kept on disk: the current one and the one a reader may still be walking. */
const KEPT_REVISIONS = 2;

/**
 * A branch of a Git host read through Backstage's `UrlReaderService.readTree`. Each new commit
 * is extracted into a fresh folder and read as a local tree; the revision is the host's ETag
 * (the commit SHA for Git hosts), and the snapshot lists the files that differ from the one it
 * replaces (by size and content hash). A refresh sends the last ETag, so an unchanged branch costs
 * one small request and yields no new snapshot. A failed read is logged and keeps the last good
 * snapshot.
 *
 * @public
 */
export class UrlTreeProvider implements GitopsTreeProvider {
  readonly description: string;
  private snapshot?: TreeSnapshot;
  /** What the current snapshot's files hold, to tell the next one what changed. */
  private manifest?: TreeManifest;
  private readonly folders: string[] = [];
  private readonly listeners = new Set<(s: TreeSnapshot) => void>();
  /** Reads run one after the other: a refresh never races the first read. */
  private chain: Promise<unknown> = Promise.resolve();
  private first?: Promise<TreeSnapshot>;
  private timer?: NodeJS.Timeout;
  private started = false;

  constructor(private readonly options: UrlTreeProviderOptions) {
    this.description = `tree URL ${options.target}`;
  }

  current(): Promise<TreeSnapshot> {
    if (this.snapshot) return Promise.resolve(this.snapshot);
    // A first read that failed is tried again on the next call.
    this.first ??= this.read().then(s => {
      if (!s) throw new Error(`${this.description}: no snapshot was read`);
      return s;
    });
    this.first.catch(() => {
      this.first = undefined;
    });
    return this.first;
  }

  subscribe(listener: (snapshot: TreeSnapshot) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Starts the periodic refresh (once). With a scheduler the task is local to this instance:
   * every backend instance keeps its own folders.
   */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    const { scheduler, refresh, target } = this.options;
    if (scheduler) {
      await scheduler.scheduleTask({
        id: `cloudlab-gitops-tree:${target}`,
        scope: 'local',
        frequency: refresh,
        initialDelay: refresh,
        timeout: refresh,
        fn: async () => {
          await this.refresh();
        },
      });
      return;
    }
    this.timer = setInterval(() => {
      this.refresh().catch(() => {});
    }, durationToMilliseconds(refresh));
    this.timer.unref();
  }

  /** Stops the timer and removes every folder this provider extracted. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.chain.catch(() => {});
    await Promise.all(
      this.folders
        .splice(0)
        .map(f => fs.rm(f, { recursive: true, force: true })),
    );
  }

  /**
   * Asks the host for the branch again. Resolves with the new snapshot when the revision
   * changed (listeners were called once), `undefined` when it did not or the read failed.
   */
  async refresh(): Promise<TreeSnapshot | undefined> {
    try {
      return await this.read();
    } catch (e) {
      this.options.logger.error(
        `${this.description}: read failed, keeping revision ${
          this.snapshot?.origin.revision ?? '(none)'
        }: ${(e as Error).message}`,
      );
      return undefined;
    }
  }

  private read(): Promise<TreeSnapshot | undefined> {
    const next = this.chain.then(() => this.readOnce());
    this.chain = next.catch(() => {});
    return next;
  }

  private async readOnce(): Promise<TreeSnapshot | undefined> {
    const { target, urlReader, workDir, check } = this.options;
    let response;
    try {
      response = await urlReader.readTree(target, {
        etag: this.snapshot?.origin.revision,
      });
    } catch (e) {
      if ((e as Error).name === 'NotModifiedError') return undefined;
      throw new Error(
        `${this.description}: could not be read: ${(e as Error).message}`,
      );
    }
    if (this.snapshot && response.etag === this.snapshot.origin.revision) {
      return undefined;
    }
    await fs.mkdir(workDir, { recursive: true });
    const folder = await fs.mkdtemp(path.join(workDir, 'rev-'));
    let snapshot: TreeSnapshot;
    let manifest: TreeManifest;
    try {
      await response.dir({ targetDir: folder });
      manifest = await readTreeManifest(folder);
      const previous = this.snapshot;
      snapshot = {
        source: new LocalTreeSource(folder),
        origin: { kind: 'url', location: target, revision: response.etag },
        ...(previous && this.manifest
          ? {
              changes: {
                since: previous.source,
                paths: changedPaths(this.manifest, manifest),
              },
            }
          : {}),
      };
      await check?.(snapshot);
    } catch (e) {
      await fs.rm(folder, { recursive: true, force: true });
      throw e;
    }
    const replaced = this.snapshot !== undefined;
    this.snapshot = snapshot;
    this.manifest = manifest;
    this.folders.push(folder);
    await Promise.all(
      this.folders
        .splice(0, Math.max(0, this.folders.length - KEPT_REVISIONS))
        .map(f => fs.rm(f, { recursive: true, force: true })),
    );
    this.options.logger.info(
      `${this.description}: read revision ${response.etag}`,
    );
    if (!replaced) return snapshot;
    for (const listener of this.listeners) {
      try {
        listener(snapshot);
      } catch (e) {
        this.options.logger.error(
          `${this.description}: a listener failed: ${(e as Error).message}`,
        );
      }
    }
    return snapshot;
  }
}
