import { LoggerService } from '@backstage/backend-plugin-api';
import { ClusterErrorType } from '@cloudlab/plugin-multi-provider-common';
import { ResourceClient, WatchEvent } from '../extensions/clusterSource';
import {
  ClusterTimeoutError,
  describeClusterError,
  isRetryable,
  retryDelay,
  withTimeout,
} from './retryPolicy';

/**
 * Timing of the informer loop.
 *
 * @public
 */
export interface InformerOptions {
  pageSize: number;
  /** First reconnect delay; doubles up to `maxBackoffMs` (which also caps `Retry-After`). */
  backoffMs: number;
  maxBackoffMs: number;
  /** A list page or watch start without an answer within this time fails as a timeout. */
  requestTimeoutMs: number;
  /**
   * After an error that is not retried (401, 403, other 4xx), the cluster stays in error and is
   * checked again only after this long, at a fixed pace without backoff: a rotated token, a fixed
   * RBAC binding, or an API server that answered 403 while its authorizer was still starting,
   * is picked up.
   */
  recheckMs: number;
  /**
   * Retryable failures in a row retried with backoff; after that the cluster is checked again
   * at the `recheckMs` pace only.
   */
  maxRetries: number;
  /**
   * A running watch that delivers nothing (no event, no bookmark) for this long counts as
   * broken: a frozen API server, a half-open connection or a NAT that forgot the flow looks
   * alive to TCP for many minutes. The informer drops it, the data turns stale and it
   * reconnects with backoff. The watch's server-side timeout is derived from it
   * ({@link watchTimeoutSeconds}), so a healthy but quiet watch is always renewed before it
   * counts as silent.
   */
  idleDeadlineMs: number;
}

/**
 * Default informer timing.
 *
 * @public
 */
export const DEFAULT_INFORMER_OPTIONS: InformerOptions = {
  pageSize: 500,
  backoffMs: 1000,
  maxBackoffMs: 30_000,
  requestTimeoutMs: 15_000,
  recheckMs: 60_000,
  maxRetries: 8,
  idleDeadlineMs: 30_000,
};

/**
 * The `timeoutSeconds` a watch asks the API server for, given the informer's idle deadline:
 * half of it (at least one second). The server ends the watch cleanly after that long — with a
 * bookmark just before, when bookmarks are allowed — and the informer re-watches from the last
 * resourceVersion without relisting, so the new request starts the idle clock again. An API
 * server sends its periodic bookmarks only about once a minute; without the shorter server-side
 * timeout, a healthy watch on a quiet resource would hit a deadline under a minute.
 *
 * @public
 */
export function watchTimeoutSeconds(idleDeadlineMs: number): number {
  return Math.max(1, Math.floor(idleDeadlineMs / 2000));
}

/**
 * The part of a Kubernetes object the informer keys and versions it by.
 *
 * @public
 */
export type Meta = {
  metadata?: { name?: string; namespace?: string; resourceVersion?: string };
};

/**
 * Whether two slim objects hold the same content (key order ignored). Slim objects are small
 * trees of plain objects, arrays and primitives.
 */
function sameContent(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || !a || !b) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (const k of ka) {
    if (
      !Object.prototype.hasOwnProperty.call(b, k) ||
      !sameContent(
        (a as Record<string, unknown>)[k],
        (b as Record<string, unknown>)[k],
      )
    )
      return false;
  }
  return true;
}

function isGone(err: unknown): boolean {
  const e = err as { code?: number; statusCode?: number } | undefined;
  return e?.code === 410 || e?.statusCode === 410;
}

/**
 * Called for every change of one cached object: `prev` absent for an addition, `next` absent for a
 * deletion (including deletions a relist discovers after a 410 or a long disconnect).
 *
 * @public
 */
export type ItemListener<S> = (
  key: string,
  prev: S | undefined,
  next: S | undefined,
) => void;

/**
 * List + watch of one resource, storing slim objects only. Events and relisted objects whose slim
 * content equals the cached one are not changes (no listener call, no `onChange`). Lists are paginated; the watch
 * resumes from the last resourceVersion (bookmarks included); a 410 Gone (from the watch or an
 * expired continue token) triggers a fresh relist; every other failure reconnects with
 * exponential backoff. A watch silent for longer than `idleDeadlineMs` is such a failure: the
 * informer stops calling itself `watching` (its owner reports the data stale) until a new watch
 * runs. The one list + watch loop of the suite: the backend's caches and the Flux source tree
 * provider both run on it.
 *
 * @public
 */
export class ResourceInformer<T extends Meta, S> {
  /** Slim objects by `namespace/name`. */
  readonly items = new Map<string, S>();
  synced = false;
  watching = false;
  lastError?: string;
  lastErrorType?: ClusterErrorType;
  /** When the data stopped being live. */
  brokenSince?: Date;
  private resourceVersion?: string;
  private stopped = false;
  private current?: { stop(): void };
  private timer?: NodeJS.Timeout;
  /** Fires when the running watch has been silent for `idleDeadlineMs`. */
  private idleTimer?: NodeJS.Timeout;
  /** Consecutive retries since the watch last ran for a while. */
  private attempt = 0;
  /** Bumped per attempt (and on failure and stop): late answers of an older attempt are dropped. */
  private loop = 0;
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
  ) {}

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
    this.loop += 1;
    clearTimeout(this.timer);
    clearTimeout(this.idleTimer);
    this.current?.stop();
    this.current = undefined;
    this.watching = false;
  }

  /**
   * A clean close sooner than this is a server that closes watches at once, not its
   * `timeoutSeconds`: under the first backoff delay, and under half the server-side timeout the
   * watch asked for, so a large `backoffMs` never turns the regular renewal into a failure.
   */
  private spinThresholdMs() {
    return Math.min(
      this.options.backoffMs,
      watchTimeoutSeconds(this.options.idleDeadlineMs) * 500,
    );
  }

  /**
   * (Re)starts the silence clock of the running watch of attempt `loop`. Every event and
   * bookmark calls it; when it fires, the watch is dropped as broken.
   */
  private armIdleDeadline(loop: number, startedAt: number) {
    clearTimeout(this.idleTimer);
    const ms = this.options.idleDeadlineMs;
    this.idleTimer = setTimeout(() => {
      if (loop !== this.loop || this.stopped) return;
      this.fail(
        new ClusterTimeoutError(
          `${this.what} watch: no event and no bookmark for ${ms} ms`,
        ),
        Date.now() - startedAt,
      );
    }, ms);
  }

  private async run() {
    if (this.stopped) return;
    const loop = ++this.loop;
    try {
      if (!this.resourceVersion) await this.relist(loop);
      if (loop === this.loop) await this.watch(loop);
    } catch (err) {
      if (loop === this.loop) this.fail(err);
    }
  }

  private async relist(loop: number) {
    const fresh = new Map<string, S>();
    let continueToken: string | undefined;
    let resourceVersion = '';
    do {
      const page = await withTimeout(
        this.client.list({ limit: this.options.pageSize, continueToken }),
        this.options.requestTimeoutMs,
        `${this.what} list`,
      );
      // Stopped, or superseded by a newer attempt, while the page was on its way.
      if (loop !== this.loop) return;
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
      // Unchanged objects keep their cached copy and are not reported as changes.
      if (prev && sameContent(prev, v)) continue;
      this.items.set(k, v);
      this.emit(k, prev, v);
    }
    this.relists += 1;
    this.resourceVersion = resourceVersion;
    this.synced = true;
    this.onChange();
  }

  private async watch(loop: number) {
    let gone = false;
    /** A non-410 `ERROR` event: the watch ends with it, and fails with backoff. */
    let errorEvent: { code?: number; message?: string } | undefined;
    // A failed connection is reported through onDone: remember it, or the informer would call
    // itself watching while nothing is.
    let ended = false;
    const startedAt = Date.now();
    const pending = this.client.watch(
      this.resourceVersion!,
      (event: WatchEvent<T>) => {
        if (loop !== this.loop) return;
        // Anything the server sends proves the watch alive, a bookmark most of all.
        if (this.current) this.armIdleDeadline(loop, startedAt);
        if (event.type === 'ERROR') {
          if (isGone(event.object)) gone = true;
          else errorEvent = event.object;
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
          // Status heartbeats and fields the slim type drops change nothing the cache holds:
          // no listener call, no generation bump, so memoised answers stay valid.
          if (prev && sameContent(prev, next)) return;
          this.items.set(key, next);
          this.emit(key, prev, next);
        }
        this.onChange();
      },
      err => {
        ended = true;
        if (loop !== this.loop) return;
        clearTimeout(this.idleTimer);
        this.current = undefined;
        if (this.stopped) {
          this.watching = false;
          return;
        }
        const ranMs = Date.now() - startedAt;
        const renewal =
          !gone &&
          !isGone(err) &&
          !err &&
          !errorEvent &&
          ranMs >= this.spinThresholdMs();
        if (!renewal) this.watching = false;
        if (gone || isGone(err)) {
          this.logger.info(`${this.what}: resourceVersion expired, relisting`);
          this.resourceVersion = undefined;
          void this.run();
        } else if (err || errorEvent) {
          this.fail(err ?? errorEvent, ranMs);
        } else if (ranMs < this.spinThresholdMs()) {
          // Closed as soon as opened: back off instead of spinning.
          this.fail(
            new Error('watch closed by the server right after it opened'),
            ranMs,
          );
        } else {
          // Server-side timeout: the regular renewal, every `timeoutSeconds`. The informer
          // stays `watching` (nothing was missed: the next watch resumes from the last version),
          // or every renewal would flash the cluster stale; the new watch must open within the
          // idle deadline, or the renewal counts as the silence it is.
          this.attempt = 0;
          void this.run();
          this.armIdleDeadline(this.loop, Date.now());
        }
      },
    );
    // A watch that starts after its attempt timed out (or the informer stopped) is closed.
    pending.then(
      w => {
        if (loop !== this.loop || this.stopped) w.stop();
      },
      () => undefined,
    );
    const current = await withTimeout(
      pending,
      this.options.requestTimeoutMs,
      `${this.what} watch`,
    );
    if (ended || this.stopped || loop !== this.loop) {
      current.stop();
      return;
    }
    this.current = current;
    this.armIdleDeadline(loop, startedAt);
    this.watching = true;
    this.lastError = undefined;
    this.lastErrorType = undefined;
    this.brokenSince = undefined;
    this.onChange();
  }

  /**
   * Records a failure and schedules the next attempt. Retryable failures (408, 429, 5xx,
   * network, timeouts) back off exponentially from `backoffMs`, capped at `maxBackoffMs` and at
   * least `Retry-After`; after `maxRetries` of them in a row the cluster counts as down and is
   * checked at the `recheckMs` pace, as after a 401/403/other 4xx, which are never retried fast.
   * A watch that ran for at least `maxBackoffMs` before failing starts the count again.
   */
  private fail(err: unknown, watchRanMs = 0) {
    if (this.stopped) return;
    // Whatever of the failed attempt is still on its way is ignored from now on.
    this.loop += 1;
    clearTimeout(this.idleTimer);
    this.current?.stop();
    this.current = undefined;
    if (watchRanMs >= this.options.maxBackoffMs) this.attempt = 0;
    const error = describeClusterError(err);
    if (error.type === 'gone') this.resourceVersion = undefined;
    this.watching = false;
    this.lastError = error.message;
    this.lastErrorType = error.type;
    this.brokenSince ??= new Date();
    let delay: number;
    let plan: string;
    if (error.type === 'gone') {
      // At once the first time; a list that keeps expiring backs off like any failure.
      delay =
        this.attempt === 0 ? 0 : retryDelay(this.attempt, error, this.options);
      this.attempt += 1;
      plan = 'relisting';
    } else if (
      isRetryable('GET', error) &&
      this.attempt < this.options.maxRetries
    ) {
      delay = retryDelay(this.attempt, error, this.options);
      this.attempt += 1;
      plan = `retry ${this.attempt} of ${this.options.maxRetries}`;
    } else {
      delay = this.options.recheckMs;
      plan = isRetryable('GET', error)
        ? 'retries exhausted, checking again'
        : 'not retried, checking again';
    }
    this.logger.warn(
      `${this.what}: ${error.type}: ${error.message}; ${plan} in ${delay} ms`,
    );
    this.onChange();
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.run(), delay);
  }
}

/**
 * The key of an object in an informer's `items`: `namespace/name` (`/name` when cluster-scoped).
 *
 * @public
 */
export function objectKey(namespace: string | undefined, name: string): string {
  return `${namespace ?? ''}/${name}`;
}

function keyOf(obj: Meta): string {
  return objectKey(obj.metadata?.namespace, obj.metadata?.name ?? '');
}
