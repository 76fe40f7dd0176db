import { LoggerService } from '@backstage/backend-plugin-api';
import {
  ClusterStatus,
  KubeNode,
  KubePod,
  NodeInfo,
  ProviderRegistry,
  SlimNode,
  SlimPod,
  describeNodes,
  slimNode,
  slimPod,
} from '@cloudlab/plugin-multi-provider-common';
import {
  ClusterConnection,
  DEFAULT_INFORMER_OPTIONS,
  InformerOptions,
  ResourceInformer,
} from '@cloudlab/plugin-multi-provider-node';
import { PodIndex } from './PodIndex';
import { Interner } from './Interner';

/**
 * The watch-based cache of one cluster: nodes and pods as slim objects, never secrets.
 * State: `syncing` until the first full list, `synced` while every watch runs, `stale` (with
 * `staleSince`) when a watch broke after a sync (an error, a cut, or silence beyond the idle
 * deadline), `error` when it never synced.
 *
 * @alpha
 */
export class ClusterCache {
  readonly nodes: ResourceInformer<KubeNode, SlimNode>;
  readonly pods: ResourceInformer<KubePod, SlimPod>;
  /** Further informers registered by feature (GitOps, …), started and stopped with the cache. */
  readonly extraInformers = new Map<string, ResourceInformer<any, any>>();
  private syncedAt?: Date;
  /** Bumped on every change, so derived views can be memoised. */
  generation = 0;
  /** Pods by namespace and label, kept in step with `pods.items`. */
  readonly podIndex = new PodIndex();
  /** One copy of the strings and small objects that many pods repeat. */
  private readonly interner = new Interner();
  private nodesVersion = 0;
  private readonly changeListeners: Array<() => void> = [];

  /** Bumped whenever a node is added, removed or changed (in what the cache keeps of it). */
  get nodeVersion(): number {
    return this.nodesVersion;
  }
  private nodeInfoMemo?: {
    version: number;
    registry: ProviderRegistry;
    infos: Map<string, NodeInfo>;
  };

  constructor(
    readonly connection: ClusterConnection,
    logger: LoggerService,
    options: Partial<InformerOptions> = {},
  ) {
    const opts = { ...DEFAULT_INFORMER_OPTIONS, ...options };
    const log = logger.child({ cluster: connection.name });
    const changed = () => {
      this.markChanged();
      if (
        this.nodes?.synced &&
        this.pods?.synced &&
        this.nodes.watching &&
        this.pods.watching
      ) {
        this.syncedAt = new Date();
      }
    };
    this.nodes = new ResourceInformer(
      `${connection.name} nodes`,
      connection.nodes,
      slimNode,
      opts,
      log,
      changed,
    );
    this.pods = new ResourceInformer(
      `${connection.name} pods`,
      connection.pods,
      slimPod,
      opts,
      log,
      changed,
    );
    this.pods.subscribe((key, prev, next) => {
      if (next) this.interner.internPod(next);
      this.podIndex.update(key, prev, next);
    });
    this.nodes.subscribe(() => {
      this.nodesVersion += 1;
    });
  }

  /**
   * Calls `listener` after every change of the cache or of an informer registered on it: an
   * object changed, or a watch's state (the live signals start their window here).
   */
  onChange(listener: () => void) {
    this.changeListeners.push(listener);
  }

  /** Records a change: bumps `generation` and tells the `onChange` listeners. */
  markChanged() {
    this.generation += 1;
    for (const l of this.changeListeners) l();
  }

  /** Nodes resolved against the registry, recomputed only after a node changed. */
  nodeInfos(registry: ProviderRegistry): Map<string, NodeInfo> {
    const memo = this.nodeInfoMemo;
    if (memo?.version === this.nodesVersion && memo.registry === registry)
      return memo.infos;
    const infos = describeNodes(this.nodes.items.values(), registry);
    this.nodeInfoMemo = { version: this.nodesVersion, registry, infos };
    return infos;
  }

  get name() {
    return this.connection.name;
  }

  start() {
    this.nodes.start();
    this.pods.start();
    this.extraInformers.forEach(i => i.start());
  }

  stop() {
    this.nodes.stop();
    this.pods.stop();
    this.extraInformers.forEach(i => i.stop());
  }

  /** Registers an informer under `key`; it does not count towards the cluster's state. */
  register<I extends ResourceInformer<any, any>>(key: string, informer: I): I {
    this.extraInformers.set(key, informer);
    return informer;
  }

  /** Whether there is data to answer from (possibly stale). */
  get hasData(): boolean {
    return this.nodes.synced && this.pods.synced;
  }

  status(): ClusterStatus {
    const informers = [this.nodes, this.pods];
    const failing = informers.find(i => i.lastError);
    const error = failing?.lastError;
    const broken = informers
      .map(i => i.brokenSince)
      .filter((d): d is Date => !!d)
      .sort((a, b) => a.getTime() - b.getTime())[0];
    let state: ClusterStatus['state'];
    if (!this.hasData) state = error ? 'error' : 'syncing';
    else if (informers.every(i => i.watching)) state = 'synced';
    else state = 'stale';
    const status: ClusterStatus = {
      name: this.name,
      state,
      nodes: this.nodes.items.size,
      pods: this.pods.items.size,
    };
    if (this.syncedAt) status.syncedAt = this.syncedAt.toISOString();
    if (state === 'stale' && broken) status.staleSince = broken.toISOString();
    if (error && state !== 'synced') {
      status.lastError = error;
      if (failing?.lastErrorType) status.lastErrorType = failing.lastErrorType;
    }
    return status;
  }
}
