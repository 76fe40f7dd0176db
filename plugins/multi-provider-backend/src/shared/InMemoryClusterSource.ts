import { KubeNode, KubePod } from '@cloudlab/plugin-multi-provider-common';
import {
  InMemoryStorage,
  InMemoryStorageInit,
  inMemoryStorage,
} from './inMemoryStorage';
import {
  ClusterConnection,
  ClusterSource,
  CustomResource,
  ResourceClient,
  WatchEvent,
} from '@cloudlab/plugin-multi-provider-node';

/** @alpha */
export type Keyed = {
  metadata?: { name?: string; namespace?: string; resourceVersion?: string };
};
const keyOf = (o: Keyed) =>
  `${o.metadata?.namespace ?? ''}/${o.metadata?.name}`;

/**
 * An in-memory resource with list pagination and watch, for tests, benchmarks and offline
 * development. It can fail (`down`), expire versions (410) and cut watches.
 *
 * @alpha
 */
export class InMemoryResource<T extends Keyed> implements ResourceClient<T> {
  private readonly objects = new Map<string, T>();
  private version = 1;
  private oldestVersion = 1;
  private readonly watchers = new Set<{
    onEvent: (e: WatchEvent<T>) => void;
    onDone: (err?: unknown) => void;
  }>();
  /** Events since the last compaction, replayed to watches that resume from an older version. */
  private log: Array<{ version: number; event: WatchEvent<T> }> = [];
  /** While set, every call fails with this error. */
  down?: Error;
  /** Counts list calls (one per page). */
  listCalls = 0;
  /** Counts watch calls. */
  watchCalls = 0;

  constructor(items: T[] = []) {
    for (const item of items) this.objects.set(keyOf(item), item);
  }

  async list({
    limit,
    continueToken,
  }: {
    limit: number;
    continueToken?: string;
  }) {
    this.listCalls += 1;
    if (this.down) throw this.down;
    const all = [...this.objects.values()];
    const start = continueToken ? Number(continueToken) : 0;
    const items = all.slice(start, start + limit);
    const next = start + limit < all.length ? String(start + limit) : undefined;
    return {
      items,
      resourceVersion: String(this.version),
      continueToken: next,
    };
  }

  async watch(
    resourceVersion: string,
    onEvent: (e: WatchEvent<T>) => void,
    onDone: (err?: unknown) => void,
  ) {
    this.watchCalls += 1;
    if (this.down) throw this.down;
    const w = { onEvent, onDone };
    if (Number(resourceVersion) < this.oldestVersion) {
      setImmediate(() => {
        onEvent({
          type: 'ERROR',
          object: { code: 410, message: 'too old resource version' },
        });
        onDone();
      });
      return { stop: () => {} };
    }
    const from = Number(resourceVersion);
    for (const entry of this.log) {
      if (entry.version > from) onEvent(entry.event);
    }
    this.watchers.add(w);
    return { stop: () => this.watchers.delete(w) };
  }

  /** Adds or replaces an object and tells the watchers. */
  upsert(item: T) {
    const existed = this.objects.has(keyOf(item));
    this.objects.set(keyOf(item), item);
    this.emit({ type: existed ? 'MODIFIED' : 'ADDED', object: item });
  }

  /** Deletes an object and tells the watchers. */
  remove(item: T) {
    if (this.objects.delete(keyOf(item)))
      this.emit({ type: 'DELETED', object: item });
  }

  /** Ends every watch with an error, as a dropped connection does. */
  cutWatches(err: unknown = new Error('connection reset')) {
    for (const w of [...this.watchers]) {
      this.watchers.delete(w);
      w.onDone(err);
    }
  }

  /** Forgets history: watches from older versions get 410 Gone. */
  compact() {
    this.version += 1;
    this.oldestVersion = this.version;
    this.log = [];
  }

  private emit(event: { type: 'ADDED' | 'MODIFIED' | 'DELETED'; object: T }) {
    this.version += 1;
    const object = {
      ...event.object,
      metadata: {
        ...event.object.metadata,
        resourceVersion: String(this.version),
      },
    };
    const stamped: WatchEvent<T> = { type: event.type, object };
    this.log.push({ version: this.version, event: stamped });
    for (const w of this.watchers) w.onEvent(stamped);
  }
}

/**
 * An in-memory cluster.
 *
 * @alpha
 */
export class InMemoryCluster implements ClusterConnection {
  readonly nodes: InMemoryResource<KubeNode>;
  readonly pods: InMemoryResource<KubePod>;
  readonly storage: InMemoryStorage;
  /** Custom resources by `group/version/plural`; an absent one answers 404 like a missing CRD. */
  readonly custom = new Map<string, InMemoryResource<any>>();

  constructor(
    readonly name: string,
    init: { nodes?: KubeNode[]; pods?: KubePod[] } & InMemoryStorageInit = {},
  ) {
    this.nodes = new InMemoryResource(init.nodes);
    this.pods = new InMemoryResource(init.pods);
    this.storage = inMemoryStorage(init);
  }

  /** Serves a custom resource with these objects (as if its CRD were installed). */
  addCustom<T extends Keyed>(r: CustomResource, items: T[] = []) {
    const res = new InMemoryResource<T>(items);
    this.custom.set(`${r.group}/${r.version}/${r.plural}`, res);
    return res;
  }

  customObjects<T>(
    r: CustomResource,
  ): InMemoryResource<any> & ResourceClient<T> {
    const key = `${r.group}/${r.version}/${r.plural}`;
    const res = this.custom.get(key);
    if (res) return res;
    const absent = new InMemoryResource<any>();
    absent.down = Object.assign(
      new Error(`the server could not find the requested resource (${key})`),
      { code: 404 },
    );
    return absent;
  }

  /** Makes every call fail (or succeed again with `undefined`). */
  setDown(err: Error | undefined) {
    for (const r of [this.nodes, this.pods, ...this.custom.values()]) {
      r.down = err;
      if (err) r.cutWatches(err);
    }
  }
}

/** A fixed set of in-memory clusters. */
export class InMemoryClusterSource implements ClusterSource {
  constructor(private readonly clusters: ClusterConnection[]) {}

  getClusters() {
    return this.clusters;
  }
}
