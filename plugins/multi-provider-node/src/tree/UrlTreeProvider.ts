import type {
  LoggerService,
  SchedulerService,
  UrlReaderService,
} from '@backstage/backend-plugin-api';
import { durationToMilliseconds, HumanDuration } from '@backstage/types';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import type { GitopsTreeProvider, TreeSnapshot } from './GitopsTreeProvider';
import { RevisionFolders } from './RevisionFolders';
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
  /** A folder this provider owns: each revision is extracted into a folder of its own under it. */
  workDir: string;
  /** Time between two reads of the branch. */
  refresh: HumanDuration;
  /** Runs the refresh when given; otherwise a plain timer that does not hold the process. */
  scheduler?: SchedulerService;
  /** Checks a freshly read tree (that the configured paths exist); a throw rejects the revision. */
  check?: (snapshot: TreeSnapshot) => Promise<void>;
}

const REVISION = /^rev-[0-9a-f]+$/;

/** The folder of one revision: the ETag hashed, since a host's ETag may hold any character. */
const revisionName = (etag: string) =>
  `rev-${createHash('sha256').update(etag).digest('hex').slice(0, 32)}`;

/**
 * A branch of a Git host read through Backstage's `UrlReaderService.readTree`. Each new commit
 * is extracted into a folder of its own and read as a local tree (the current and the previous
 * revision stay on disk, by the same rule as the Flux source artifacts); the revision is the host's ETag
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
  private readonly folders: RevisionFolders;
  /** What the current snapshot's files hold, to tell the next one what changed. */
  private manifest?: TreeManifest;
  private readonly listeners = new Set<(s: TreeSnapshot) => void>();
  /** Reads run one after the other: a refresh never races the first read. */
  private chain: Promise<unknown> = Promise.resolve();
  private first?: Promise<TreeSnapshot>;
  private timer?: NodeJS.Timeout;
  private started = false;

  constructor(private readonly options: UrlTreeProviderOptions) {
    this.description = `tree URL ${options.target}`;
    this.folders = new RevisionFolders({
      workDir: options.workDir,
      isRevision: n => REVISION.test(n),
      owner: this.description,
    });
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
    await this.folders.removeAll();
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
    const { target, urlReader, check } = this.options;
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
    const partial = await this.folders.partial();
    const name = revisionName(response.etag);
    let manifest: TreeManifest;
    try {
      await response.dir({ targetDir: partial });
      manifest = await readTreeManifest(partial);
      await check?.({
        source: new LocalTreeSource(partial),
        origin: { kind: 'url', location: target, revision: response.etag },
      });
    } catch (e) {
      await fs.rm(partial, { recursive: true, force: true });
      throw e;
    }
    const previous = this.snapshot;
    const snapshot: TreeSnapshot = {
      source: new LocalTreeSource(await this.folders.place(partial, name)),
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
    const replaced = this.snapshot !== undefined;
    this.snapshot = snapshot;
    this.manifest = manifest;
    await this.folders.use(name);
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
