import { LoggerService } from '@backstage/backend-plugin-api';
import {
  ClusterStatus,
  KubeNode,
  KubePod,
  SlimNode,
  SlimPod,
  slimNode,
  slimPod,
} from '@internal/plugin-multi-provider-common';
import { ClusterConnection } from '../clusters/types';
import { InformerOptions, ResourceInformer } from './ResourceInformer';

/** Default informer timing. */
export const DEFAULT_INFORMER_OPTIONS: InformerOptions = {
  pageSize: 500,
  backoffMs: 1000,
  maxBackoffMs: 30_000,
};

/**
 * The watch-based cache of one cluster: nodes and pods as slim objects, never secrets.
 * State: `syncing` until the first full list, `synced` while every watch runs, `stale` (with
 * `staleSince`) when a watch broke after a sync, `error` when it never synced.
 */
export class ClusterCache {
  readonly nodes: ResourceInformer<KubeNode, SlimNode>;
  readonly pods: ResourceInformer<KubePod, SlimPod>;
  /** Further informers registered by feature (GitOps, …), started and stopped with the cache. */
  readonly extraInformers = new Map<string, ResourceInformer<any, any>>();
  private syncedAt?: Date;
  /** Bumped on every change, so derived views can be memoised. */
  generation = 0;

  constructor(
    readonly connection: ClusterConnection,
    logger: LoggerService,
    options: Partial<InformerOptions> = {},
  ) {
    const opts = { ...DEFAULT_INFORMER_OPTIONS, ...options };
    const log = logger.child({ cluster: connection.name });
    const changed = () => {
      this.generation += 1;
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
    const error = informers.map(i => i.lastError).find(Boolean);
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
    if (error && state !== 'synced') status.lastError = error;
    return status;
  }
}
