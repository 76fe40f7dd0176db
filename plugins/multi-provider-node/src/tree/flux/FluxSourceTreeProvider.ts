import { LoggerService } from '@backstage/backend-plugin-api';
import { KubeConfig } from '@kubernetes/client-node';
import path from 'node:path';
import { ResourceClient } from '../../extensions/clusterSource';
import {
  DEFAULT_INFORMER_OPTIONS,
  InformerOptions,
  kubeResourceClient,
  ResourceInformer,
} from '../../kube';
import {
  ArtifactStore,
  fetchArtifact as defaultFetchArtifact,
  type FetchArtifactOptions,
  type FetchedArtifact,
} from '../artifact';
import { GitopsTreeProvider, TreeSnapshot } from '../GitopsTreeProvider';
import { changedPaths, readTreeManifest, TreeManifest } from '../treeManifest';
import {
  artifactFetchUrl,
  FLUX_SOURCE_KINDS,
  FluxKindRef,
  FluxObject,
  kindPath,
  KUSTOMIZATION_KIND,
  readyCondition,
  slimFluxSourceObject,
  sourceAddress,
  sourceKey,
  sourceOf,
} from './fluxSourceObjects';

/**
 * Downloads a Flux source artifact, checks it against `digest` and extracts it into
 * `<targetDir>/<algorithm>-<hex>`: the contract of the suite's `fetchArtifact`, which a test
 * replaces.
 *
 * @public
 */
export type FetchArtifact = (
  options: FetchArtifactOptions,
) => Promise<FetchedArtifact>;

/**
 * A Flux object, `namespace/name`.
 *
 * @public
 */
export interface FluxObjectName {
  namespace: string;
  name: string;
}

/**
 * The root Kustomization when none is configured: the one `flux bootstrap` creates.
 *
 * @public
 */
export const DEFAULT_ROOT_KUSTOMIZATION: FluxObjectName = {
  namespace: 'flux-system',
  name: 'flux-system',
};

/**
 * A problem with one source (or with watching one kind), kept until it is resolved.
 *
 * @public
 */
export interface FluxSourceError {
  /** `Kind/namespace/name`, or the kind for a failed watch. */
  source: string;
  reason: string;
}

/**
 * Options of {@link FluxSourceTreeProvider}.
 *
 * @public
 */
export interface FluxSourceTreeProviderOptions {
  kubeConfig: KubeConfig;
  /** Whose source is the `current()` tree; default {@link DEFAULT_ROOT_KUSTOMIZATION}. */
  kustomization?: FluxObjectName;
  /**
   * Replaces scheme, host and port of `status.artifact.url` (a path is kept as a prefix): the URL
   * names source-controller's in-cluster Service, which a portal elsewhere reaches another way.
   */
  artifactBaseUrl?: string;
  /**
   * Where artifacts are extracted, one folder per source under `flux-sources/`. Extractions stay
   * after {@link FluxSourceTreeProvider.close}: a provider started again on the same folder
   * reads a revision already there without downloading it.
   */
  workDir: string;
  logger: LoggerService;
  /** The suite's `fetchArtifact` by default. */
  fetchArtifact?: FetchArtifact;
  /** Reconnect delays of a failed watch and of a failed fetch: doubling from `initialMs`. */
  backoff?: { initialMs: number; maxMs: number };
  /**
   * The rest of the watches' timing (idle deadline, request timeout, recheck pace): the suite's
   * informer defaults unless set.
   */
  watch?: Partial<Omit<InformerOptions, 'backoffMs' | 'maxBackoffMs'>>;
  /**
   * List + watch of one kind; by default the suite's client on `kubeConfig`
   * ({@link kubeResourceClient}).
   */
  resourceClient?: (kind: FluxKindRef) => ResourceClient<FluxObject>;
}

const DEFAULT_BACKOFF = { initialMs: 1_000, maxMs: 60_000 };

interface Wanted {
  key: string;
  url: string;
  /** The source's own address (`sourceAddress`), shown on what is read from it. */
  address?: string;
  revision: string;
  digest: string;
}

interface Held {
  snapshot: TreeSnapshot;
  digest: string;
  /** What its files hold, to tell the next revision's snapshot what changed. */
  manifest: TreeManifest;
}

interface Watched {
  kind: FluxKindRef;
  informer: ResourceInformer<FluxObject, FluxObject>;
}

const delay = (b: { initialMs: number; maxMs: number }, failures: number) =>
  Math.min(b.maxMs, b.initialMs * 2 ** Math.min(failures, 20));

const describe = (err: unknown) => {
  const e = err as { message?: string; statusCode?: number; code?: number };
  const status =
    e?.statusCode ?? (typeof e?.code === 'number' ? e.code : undefined);
  const message = e?.message ?? String(err);
  return status ? `HTTP ${status}: ${message}` : message;
};

/**
 * The GitOps tree Flux applies, read from source-controller's artifacts. It watches
 * Kustomizations and the source kinds they name with the suite's {@link ResourceInformer} (a
 * 410 Gone relists, any other failure or a watch silent past the idle deadline reconnects with
 * backoff), and for every source a Kustomization uses fetches the
 * artifact at `status.artifact.revision`, checked against its digest. A new revision of any source
 * in use gives a new snapshot of that source (listing the files that differ from the last one)
 * and calls the listeners with the root
 * Kustomization's snapshot (the tree to re-read); the same revision again does nothing. Each
 * source's extractions are kept by an {@link ArtifactStore} (by digest: a revision already on
 * disk, also from before a restart, is not downloaded again; the current and the previous
 * revision stay, so a reader still walking the one just replaced is not cut off). A source
 * without an artifact, not Ready, or whose fetch failed is kept in {@link FluxSourceTreeProvider.errors}
 * and never drops another source's snapshot. Never reads a Secret.
 *
 * @public
 */
export class FluxSourceTreeProvider implements GitopsTreeProvider {
  readonly description: string;
  private readonly root: FluxObjectName;
  private readonly backoff: { initialMs: number; maxMs: number };
  private readonly watched: Watched[] = [];
  private readonly held = new Map<string, Held>();
  /** Per source key, the store of its extractions. */
  private readonly stores = new Map<string, ArtifactStore>();
  private readonly inflight = new Map<
    string,
    { wanted: Wanted; abort: AbortController }
  >();
  private readonly fetchFailures = new Map<
    string,
    { wanted: Wanted; failures: number; timer?: NodeJS.Timeout }
  >();
  private readonly sourceErrors = new Map<string, string>();
  private readonly listeners = new Set<(s: TreeSnapshot) => void>();
  private waiters: Array<() => void> = [];
  private started?: Promise<void>;
  private readonly workRoot: string;
  private stopped = false;
  private evaluateQueued = false;

  constructor(private readonly options: FluxSourceTreeProviderOptions) {
    this.root = options.kustomization ?? DEFAULT_ROOT_KUSTOMIZATION;
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.description = `Flux Kustomization ${this.root.namespace}/${this.root.name}`;
    this.workRoot = path.join(options.workDir, 'flux-sources');
  }

  /**
   * The provider as the tree-source factory makes it from `cloudlab.gitopsTree.flux`.
   */
  static fromConfig(
    config: { kustomization?: FluxObjectName; artifactBaseUrl?: string },
    deps: {
      kubeConfig: KubeConfig;
      logger: LoggerService;
      workDir: string;
      fetchArtifact?: FetchArtifact;
    },
  ): FluxSourceTreeProvider {
    return new FluxSourceTreeProvider({ ...config, ...deps });
  }

  async current(): Promise<TreeSnapshot> {
    await this.start();
    for (;;) {
      const rootSource = this.rootSourceKey();
      const snapshot = rootSource ? this.held.get(rootSource) : undefined;
      if (snapshot) return snapshot.snapshot;
      const failure = this.rootFailure();
      if (failure) throw new Error(`${this.description}: ${failure}`);
      await new Promise<void>(resolve => this.waiters.push(resolve));
      if (this.stopped) throw new Error(`${this.description}: stopped`);
    }
  }

  subscribe(listener: (snapshot: TreeSnapshot) => void): () => void {
    this.listeners.add(listener);
    void this.start().catch(err =>
      this.options.logger.error(`${this.description}: ${describe(err)}`),
    );
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** The snapshot of every source a Kustomization uses, by `Kind/namespace/name`. */
  sources(): Map<string, TreeSnapshot> {
    return new Map([...this.held].map(([k, h]) => [k, h.snapshot]));
  }

  /** What is wrong now: sources without a usable artifact, and kinds that cannot be watched. */
  errors(): FluxSourceError[] {
    const watchErrors = this.watched.flatMap(w => {
      const reason = this.watchError(w);
      return reason ? [{ source: this.watchErrorKey(w), reason }] : [];
    });
    return [
      ...watchErrors,
      ...[...this.sourceErrors].map(([source, reason]) => ({ source, reason })),
    ];
  }

  /**
   * Stops watching and fetching. The extracted trees stay for the next start on the same
   * `workDir`; whoever owns that folder removes it.
   */
  async close(): Promise<void> {
    this.stopped = true;
    for (const w of this.watched) w.informer.stop();
    for (const f of this.inflight.values()) f.abort.abort();
    for (const f of this.fetchFailures.values()) clearTimeout(f.timer);
    this.wake();
  }

  /** Starts watching (the first `current()` or `subscribe()` also does); idempotent. */
  start(): Promise<void> {
    this.started ??= this.startWatching();
    return this.started;
  }

  /** The backend's shutdown: the same as {@link FluxSourceTreeProvider.close}. */
  async stop(): Promise<void> {
    await this.close();
  }

  private async startWatching() {
    const timing: InformerOptions = {
      ...DEFAULT_INFORMER_OPTIONS,
      ...this.options.watch,
      backoffMs: this.backoff.initialMs,
      maxBackoffMs: this.backoff.maxMs,
    };
    const client =
      this.options.resourceClient ??
      ((kind: FluxKindRef) =>
        kubeResourceClient<FluxObject>(
          this.options.kubeConfig,
          kindPath(kind),
          {
            idleDeadlineMs: timing.idleDeadlineMs,
          },
        ));
    for (const kind of [KUSTOMIZATION_KIND, ...FLUX_SOURCE_KINDS]) {
      const informer = new ResourceInformer<FluxObject, FluxObject>(
        `${this.description}: ${kind.kind}`,
        client(kind),
        slimFluxSourceObject,
        timing,
        this.options.logger,
        () => this.queueEvaluate(),
      );
      this.watched.push({ kind, informer });
      informer.start();
    }
  }

  private watchErrorKey(w: Watched) {
    return `${w.kind.kind} (watch)`;
  }

  /** Why a kind is not watched now: the informer's last failure, until a watch runs again. */
  private watchError(w: Watched) {
    const { lastError, watching } = w.informer;
    if (!lastError || watching) return undefined;
    return `cannot list or watch ${kindPath(w.kind)}: ${lastError}`;
  }

  private objects(kind: string): FluxObject[] {
    const w = this.watched.find(x => x.kind.kind === kind);
    return w ? [...w.informer.items.values()] : [];
  }

  private find(kind: string, namespace: string, name: string) {
    return this.objects(kind).find(
      o => o.metadata?.namespace === namespace && o.metadata?.name === name,
    );
  }

  private rootSourceKey(): string | undefined {
    const k = this.find(
      KUSTOMIZATION_KIND.kind,
      this.root.namespace,
      this.root.name,
    );
    const s = k && sourceOf(k);
    return s && sourceKey(s.kind, s.namespace, s.name);
  }

  /** Why the root tree cannot be given now, once that is known (else wait). */
  private rootFailure(): string | undefined {
    const kustomizations = this.watched.find(
      w => w.kind === KUSTOMIZATION_KIND,
    )!;
    const watchError = this.watchError(kustomizations);
    if (watchError) return watchError;
    if (!kustomizations.informer.synced) return undefined;
    const rootSource = this.rootSourceKey();
    if (!rootSource) {
      const k = this.find(
        KUSTOMIZATION_KIND.kind,
        this.root.namespace,
        this.root.name,
      );
      return k
        ? 'the Kustomization has no spec.sourceRef'
        : 'no such Kustomization in the cluster';
    }
    if (this.inflight.has(rootSource)) return undefined;
    const error = this.sourceErrors.get(rootSource);
    if (error) return `${rootSource}: ${error}`;
    const kind = this.watched.find(
      w => w.kind.kind === rootSource.split('/')[0],
    );
    if (kind && !kind.informer.synced) {
      const kindError = this.watchError(kind);
      return kindError;
    }
    return undefined;
  }

  private wake() {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  /** Coalesces a burst of watch events (a relist, a start) into one evaluation. */
  private queueEvaluate() {
    if (this.evaluateQueued || this.stopped) return;
    this.evaluateQueued = true;
    setImmediate(() => {
      this.evaluateQueued = false;
      this.evaluate();
    });
  }

  /** Compares what the Kustomizations use with what is held, and fetches what is missing. */
  private evaluate() {
    if (this.stopped) return;
    const used = new Map<string, string[]>();
    for (const k of this.objects(KUSTOMIZATION_KIND.kind)) {
      const s = sourceOf(k);
      if (!s) continue;
      const key = sourceKey(s.kind, s.namespace, s.name);
      used.set(key, [
        ...(used.get(key) ?? []),
        `${k.metadata?.namespace}/${k.metadata?.name}`,
      ]);
    }
    // Errors of sources no longer used are over.
    for (const key of [...this.sourceErrors.keys()]) {
      if (!used.has(key)) this.sourceErrors.delete(key);
    }
    for (const key of [...this.held.keys()]) {
      if (!used.has(key)) {
        this.held.delete(key);
        const store = this.stores.get(key);
        this.stores.delete(key);
        void store?.clear();
      }
    }
    for (const [key, users] of used) this.evaluateSource(key, users);
    this.wake();
  }

  private evaluateSource(key: string, users: string[]) {
    const [kind, namespace, name] = key.split('/');
    const watched = this.watched.find(w => w.kind.kind === kind);
    if (!watched) {
      this.sourceErrors.set(
        key,
        `unsupported sourceRef kind ${kind} (used by Kustomization ${users.join(
          ', ',
        )}; supported: ${FLUX_SOURCE_KINDS.map(k => k.kind).join(', ')})`,
      );
      return;
    }
    if (!watched.informer.synced) return;
    const o = this.find(kind, namespace, name);
    if (!o) {
      this.sourceErrors.set(
        key,
        `not found (used by Kustomization ${users.join(', ')})`,
      );
      return;
    }
    const artifact = o.status?.artifact;
    const ready = readyCondition(o);
    const notReady =
      ready?.status === 'True'
        ? undefined
        : `not Ready${
            ready
              ? ` (${ready.reason ?? ready.status}: ${ready.message ?? ''})`
              : ''
          }`;
    if (!artifact?.url || !artifact.revision || !artifact.digest) {
      this.sourceErrors.set(
        key,
        `no artifact yet${notReady ? `; ${notReady}` : ''}`,
      );
      return;
    }
    const wanted: Wanted = {
      key,
      url: artifactFetchUrl(artifact.url, this.options.artifactBaseUrl),
      address: sourceAddress(kind, o),
      revision: artifact.revision,
      digest: artifact.digest,
    };
    const held = this.held.get(key);
    const inflight = this.inflight.get(key);
    const failed = this.fetchFailures.get(key);
    // A source not Ready still serves its last artifact, which is what Flux applies: keep
    // reading it, and say why it is stale.
    const setNotReady = () => {
      if (notReady)
        this.sourceErrors.set(
          key,
          `${notReady}; serving revision ${artifact.revision}`,
        );
    };
    if (held && sameArtifact(held, wanted)) {
      if (notReady) setNotReady();
      else this.sourceErrors.delete(key);
      return;
    }
    if (inflight && sameWanted(inflight.wanted, wanted)) return;
    // A failed fetch of this very artifact is retried on its own timer, not on every event.
    if (failed && sameWanted(failed.wanted, wanted)) return;
    if (failed) {
      clearTimeout(failed.timer);
      this.fetchFailures.delete(key);
    }
    inflight?.abort.abort();
    void this.fetch(wanted, notReady ? setNotReady : undefined);
  }

  /** The store of one source's extractions, in a folder named after the source. */
  private storeOf(key: string): ArtifactStore {
    let store = this.stores.get(key);
    if (!store) {
      store = new ArtifactStore({
        workDir: path.join(this.workRoot, key.replace(/[^A-Za-z0-9.-]+/g, '_')),
        fetchArtifact: this.options.fetchArtifact ?? defaultFetchArtifact,
      });
      this.stores.set(key, store);
    }
    return store;
  }

  private async fetch(wanted: Wanted, afterwards?: () => void) {
    const abort = new AbortController();
    const entry = { wanted, abort };
    this.inflight.set(wanted.key, entry);
    const t0 = Date.now();
    try {
      const got = await this.storeOf(wanted.key).checkout({
        url: wanted.url,
        digest: wanted.digest,
        signal: abort.signal,
      });
      // Recorded while extracting; read from disk only for a revision extracted before.
      const manifest = got.manifest ?? (await readTreeManifest(got.dir));
      if (this.inflight.get(wanted.key) !== entry || this.stopped) return;
      this.inflight.delete(wanted.key);
      this.fetchFailures.delete(wanted.key);
      const previous = this.held.get(wanted.key);
      const snapshot: TreeSnapshot = {
        source: got.source,
        origin: {
          kind: 'flux',
          location: wanted.key,
          revision: wanted.revision,
          ...(wanted.address ? { url: wanted.address } : {}),
        },
        ...(previous
          ? {
              changes: {
                since: previous.snapshot.source,
                paths: changedPaths(previous.manifest, manifest),
              },
            }
          : {}),
      };
      this.held.set(wanted.key, {
        snapshot,
        digest: wanted.digest,
        manifest,
      });
      this.sourceErrors.delete(wanted.key);
      afterwards?.();
      this.options.logger.info(
        `${this.description}: ${wanted.key} at ${wanted.revision} (${
          got.downloaded
            ? `${got.files} files, ${got.bytes} bytes`
            : 'already on disk'
        }, ${Date.now() - t0} ms)`,
      );
      this.notify();
    } catch (err) {
      if (this.inflight.get(wanted.key) !== entry || this.stopped) return;
      this.inflight.delete(wanted.key);
      const failures = (this.fetchFailures.get(wanted.key)?.failures ?? 0) + 1;
      const wait = delay(this.backoff, failures - 1);
      const reason = `fetching the artifact at ${
        wanted.revision
      } failed: ${describe(err)}`;
      this.sourceErrors.set(wanted.key, reason);
      this.options.logger.warn(
        `${this.description}: ${wanted.key}: ${reason}; again in ${wait} ms`,
      );
      const timer = setTimeout(() => {
        const f = this.fetchFailures.get(wanted.key);
        if (f?.timer !== timer) return;
        // Stays recorded (without a timer) until the retry settles, so events do not race it.
        f.timer = undefined;
        this.inflight.delete(wanted.key);
        void this.retry(wanted);
      }, wait);
      this.fetchFailures.set(wanted.key, { wanted, failures, timer });
    }
    this.wake();
  }

  private async retry(wanted: Wanted) {
    if (this.stopped) return;
    await this.fetch(wanted);
  }

  private notify() {
    const rootSource = this.rootSourceKey();
    const root = rootSource ? this.held.get(rootSource) : undefined;
    if (!root) return;
    for (const l of [...this.listeners]) {
      try {
        l(root.snapshot);
      } catch (err) {
        this.options.logger.error(
          `${this.description}: a listener failed: ${describe(err)}`,
        );
      }
    }
  }
}

function sameArtifact(held: Held, wanted: Wanted) {
  return (
    held.snapshot.origin.revision === wanted.revision &&
    held.digest === wanted.digest
  );
}

function sameWanted(a: Wanted, b: Wanted) {
  return a.revision === b.revision && a.digest === b.digest && a.url === b.url;
}
