import { LoggerService } from '@backstage/backend-plugin-api';
import { ResourceClient, WatchEvent } from '../clusters/types';

/** Timing of the informer loop. */
export interface InformerOptions {
  pageSize: number;
  /** First reconnect delay; doubles up to `maxBackoffMs`. */
  backoffMs: number;
  maxBackoffMs: number;
}

type Meta = {
  metadata?: { name?: string; namespace?: string; resourceVersion?: string };
};

function isGone(err: unknown): boolean {
  const e = err as { code?: number; statusCode?: number } | undefined;
  return e?.code === 410 || e?.statusCode === 410;
}

function message(err: unknown): string {
  if (err instanceof Error) return err.message;
  return typeof err === 'string' ? err : JSON.stringify(err);
}

/**
 * Called for every change of one cached object: `prev` absent for an addition, `next` absent for a
 * deletion (including deletions a relist discovers after a 410 or a long disconnect).
 */
export type ItemListener<S> = (
  key: string,
  prev: S | undefined,
  next: S | undefined,
) => void;

/**
 * List + watch of one resource, storing slim objects only. Lists are paginated; the watch
 * resumes from the last resourceVersion; a 410 Gone (from the watch or an expired continue
 * token) triggers a fresh relist; every other failure reconnects with exponential backoff.
 */
export class ResourceInformer<T extends Meta, S> {
  /** Slim objects by `namespace/name`. */
  readonly items = new Map<string, S>();
  synced = false;
  watching = false;
  lastError?: string;
  /** When the data stopped being live. */
  brokenSince?: Date;
  private resourceVersion?: string;
  private stopped = false;
  private current?: { stop(): void };
  private timer?: NodeJS.Timeout;
  private backoff: number;
  private readonly listeners: ItemListener<S>[] = [];
  /** Full lists done (the first sync, then one per 410 Gone). */
  relists = 0;

  constructor(
    private readonly what: string,
    private readonly client: ResourceClient<T>,
    private readonly slim: (obj: T) => S,
    private readonly options: InformerOptions,
    private readonly logger: LoggerService,
    private readonly onChange: () => void,
  ) {
    this.backoff = options.backoffMs;
  }

  /** Subscribes to item changes; existing items are not replayed. */
  subscribe(listener: ItemListener<S>) {
    this.listeners.push(listener);
  }

  private emit(key: string, prev: S | undefined, next: S | undefined) {
    for (const l of this.listeners) l(key, prev, next);
  }

  start() {
    this.stopped = false;
    void this.run();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    this.current?.stop();
  }

  private async run() {
    if (this.stopped) return;
    try {
      if (!this.resourceVersion) await this.relist();
      await this.watch();
    } catch (err) {
      this.fail(err);
    }
  }

  private async relist() {
    const fresh = new Map<string, S>();
    let continueToken: string | undefined;
    let resourceVersion = '';
    do {
      const page = await this.client.list({
        limit: this.options.pageSize,
        continueToken,
      });
      for (const obj of page.items) fresh.set(keyOf(obj), this.slim(obj));
      // The first page's version is the snapshot's version.
      resourceVersion ||= page.resourceVersion;
      continueToken = page.continueToken;
    } while (continueToken);
    // Apply the difference, so listeners see the deletes missed while disconnected.
    for (const [k, prev] of this.items) {
      if (!fresh.has(k)) {
        this.items.delete(k);
        this.emit(k, prev, undefined);
      }
    }
    for (const [k, v] of fresh) {
      const prev = this.items.get(k);
      this.items.set(k, v);
      this.emit(k, prev, v);
    }
    this.relists += 1;
    this.resourceVersion = resourceVersion;
    this.synced = true;
    this.onChange();
  }

  private async watch() {
    let gone = false;
    this.current = await this.client.watch(
      this.resourceVersion!,
      (event: WatchEvent<T>) => {
        if (event.type === 'ERROR') {
          if (isGone(event.object)) gone = true;
          else this.lastError = event.object.message ?? 'watch error';
          return;
        }
        const rv = event.object.metadata?.resourceVersion;
        if (rv) this.resourceVersion = rv;
        if (event.type === 'BOOKMARK') return;
        const key = keyOf(event.object as T);
        const prev = this.items.get(key);
        if (event.type === 'DELETED') {
          if (!this.items.delete(key)) return;
          this.emit(key, prev, undefined);
        } else {
          const next = this.slim(event.object as T);
          this.items.set(key, next);
          this.emit(key, prev, next);
        }
        this.onChange();
      },
      err => {
        this.watching = false;
        this.current = undefined;
        if (this.stopped) return;
        if (gone || isGone(err)) {
          this.logger.info(`${this.what}: resourceVersion expired, relisting`);
          this.resourceVersion = undefined;
          void this.run();
        } else if (err) {
          this.fail(err);
        } else {
          // Server-side timeout: resume from the last version straight away.
          void this.run();
        }
      },
    );
    this.watching = true;
    this.lastError = undefined;
    this.brokenSince = undefined;
    this.backoff = this.options.backoffMs;
    this.onChange();
  }

  private fail(err: unknown) {
    if (this.stopped) return;
    if (isGone(err)) this.resourceVersion = undefined;
    this.watching = false;
    this.lastError = message(err);
    this.brokenSince ??= new Date();
    this.logger.warn(
      `${this.what}: ${this.lastError}; retrying in ${this.backoff} ms`,
    );
    this.onChange();
    this.timer = setTimeout(() => void this.run(), this.backoff);
    this.backoff = Math.min(this.backoff * 2, this.options.maxBackoffMs);
  }
}

function keyOf(obj: Meta): string {
  return `${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`;
}
