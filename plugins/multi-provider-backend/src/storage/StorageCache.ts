import { LoggerService } from '@backstage/backend-plugin-api';
import {
  findingsReadPod,
  ClusterErrorType,
  ClusterState,
  KubeCSIDriverManifest,
  KubeCSINodeManifest,
  KubeEventManifest,
  KubePVCManifest,
  KubePVManifest,
  KubeStorageClassManifest,
  SlimCSIDriver,
  SlimCSINode,
  SlimEvent,
  SlimPV,
  SlimPVC,
  SlimStorageClass,
  slimCSIDriver,
  slimCSINode,
  slimEvent,
  slimPV,
  slimPVC,
  slimStorageClass,
} from '@cloudlab/plugin-multi-provider-common';
import { ClusterCache } from '../shared/ClusterCache';
import { PodIndex } from '../shared/PodIndex';
import {
  DEFAULT_INFORMER_OPTIONS,
  InformerOptions,
  ResourceInformer,
  StorageClients,
} from '@cloudlab/plugin-multi-provider-node';
import { Multimap } from './Multimap';
import { ObjectStamps } from './ObjectStamps';

/**
 * Per-cluster storage cache state, as `GET /clusters` reports placement's.
 *
 * @alpha
 */
export interface StorageCacheStatus {
  state: ClusterState;
  staleSince?: string;
  lastError?: string;
  lastErrorType?: ClusterErrorType;
  claims: number;
  volumes: number;
}

/**
 * The storage informers of one cluster, registered beside its {@link ClusterCache} (whose pods
 * and nodes the storage views join with): PVCs, PVs, StorageClasses, CSIDrivers, CSINodes and
 * the storage-related events, each trimmed to a slim type. Same list + watch machinery, same
 * state rules: `syncing` → `synced`; `stale` when a watch broke after a sync; `error` when it
 * never synced.
 *
 * @alpha
 */
export class StorageCache {
  readonly pvcs: ResourceInformer<KubePVCManifest, SlimPVC>;
  readonly pvs: ResourceInformer<KubePVManifest, SlimPV>;
  readonly storageClasses: ResourceInformer<
    KubeStorageClassManifest,
    SlimStorageClass
  >;
  readonly csiDrivers: ResourceInformer<KubeCSIDriverManifest, SlimCSIDriver>;
  readonly csiNodes: ResourceInformer<KubeCSINodeManifest, SlimCSINode>;
  readonly events: ResourceInformer<KubeEventManifest, SlimEvent>;
  /** Bumped on every change, so derived views can be memoised. */
  generation = 0;
  private readonly changeListeners: Array<() => void> = [];
  private ticks = 0;
  private readonly clock = { tick: () => (this.ticks += 1) };
  /** Claims by namespace and labels (the pod index over claims), for label-selected claims. */
  readonly claimIndex = new PodIndex();
  /** A stamp per claim (`namespace/name`). */
  readonly claimStamps = new ObjectStamps(this.clock);
  /** A stamp per volume (by name). */
  readonly volumeStamps = new ObjectStamps(this.clock);
  /** The events about each object (`namespace/name` of the involved object), stamped. */
  readonly eventStamps = new ObjectStamps(this.clock, true);
  /** Bumped when a StorageClass, CSIDriver or CSINode changes (few, rarely changing objects). */
  classVersion = 0;
  /** Bumped when a claim, a volume or a kept event is added, removed or changed. */
  claimsVersion = 0;
  volumesVersion = 0;
  eventsVersion = 0;
  /**
   * Bumped when a pod the storage findings can read changes (`findingsReadPod`: pinned with
   * claims, or unscheduled); the platform findings are kept across every other pod change.
   */
  podFindingsVersion = 0;
  /** Volume name → keys of the claims whose `spec.volumeName` names it. */
  private readonly claimsOfVolume = new Multimap();
  private readonly informers: Array<ResourceInformer<any, any>>;

  constructor(
    readonly cluster: ClusterCache,
    clients: StorageClients,
    logger: LoggerService,
    options: Partial<InformerOptions> = {},
  ) {
    const opts = { ...DEFAULT_INFORMER_OPTIONS, ...options };
    const log = logger.child({ cluster: cluster.name, cache: 'storage' });
    const changed = () => {
      this.generation += 1;
      for (const l of this.changeListeners) l();
    };
    const informer = <T extends object, S>(
      what: string,
      client: StorageClients[keyof StorageClients],
      slim: (o: T) => S,
    ) =>
      new ResourceInformer<any, S>(
        `${cluster.name} ${what}`,
        client,
        slim as (o: any) => S,
        opts,
        log,
        changed,
      );
    this.pvcs = informer('persistentvolumeclaims', clients.pvcs, slimPVC);
    this.pvs = informer('persistentvolumes', clients.pvs, slimPV);
    this.storageClasses = informer(
      'storageclasses',
      clients.storageClasses,
      slimStorageClass,
    );
    this.csiDrivers = informer('csidrivers', clients.csiDrivers, slimCSIDriver);
    this.csiNodes = informer('csinodes', clients.csiNodes, slimCSINode);
    this.events = informer('events', clients.events, slimEvent);
    const claimKey = (c: SlimPVC) =>
      `${c.metadata.namespace}/${c.metadata.name}`;
    const asPod = (c: SlimPVC | undefined) =>
      c && {
        name: c.metadata.name,
        namespace: c.metadata.namespace,
        labels: c.metadata.labels,
        phase: '',
      };
    this.pvcs.subscribe(() => {
      this.claimsVersion += 1;
    });
    this.pvs.subscribe(() => {
      this.volumesVersion += 1;
    });
    this.events.subscribe(() => {
      this.eventsVersion += 1;
    });
    cluster.pods.subscribe((_key, prev, next) => {
      if ((prev && findingsReadPod(prev)) || (next && findingsReadPod(next)))
        this.podFindingsVersion += 1;
    });
    // Subscribed before any view keeper, so keepers read the index already updated.
    this.pvcs.subscribe((key, prev, next) => {
      const before = prev?.spec.volumeName;
      const after = next?.spec.volumeName;
      if (before === after) return;
      if (before) this.claimsOfVolume.delete(before, key);
      if (after) this.claimsOfVolume.add(after, key);
    });
    this.pvcs.subscribe((key, prev, next) => {
      this.claimIndex.update(key, asPod(prev), asPod(next));
      this.claimStamps.update(
        key,
        prev && claimKey(prev),
        next && claimKey(next),
      );
    });
    this.pvs.subscribe((key, prev, next) =>
      this.volumeStamps.update(key, prev?.metadata.name, next?.metadata.name),
    );
    const involved = (e: SlimEvent | undefined) =>
      e && `${e.involvedObject.namespace ?? ''}/${e.involvedObject.name}`;
    this.events.subscribe((key, prev, next) =>
      this.eventStamps.update(key, involved(prev), involved(next)),
    );
    for (const i of [this.storageClasses, this.csiDrivers, this.csiNodes]) {
      i.subscribe(() => {
        this.classVersion += 1;
      });
    }
    this.informers = [
      this.pvcs,
      this.pvs,
      this.storageClasses,
      this.csiDrivers,
      this.csiNodes,
      this.events,
    ];
  }

  get name() {
    return this.cluster.name;
  }

  /** Calls `listener` after every change of a storage informer (an object or a watch's state). */
  onChange(listener: () => void) {
    this.changeListeners.push(listener);
  }

  /** The keys of the claims whose `spec.volumeName` names this volume. */
  claimsNaming(volumeName: string): Iterable<string> {
    return this.claimsOfVolume.get(volumeName);
  }

  start() {
    this.informers.forEach(i => i.start());
  }

  stop() {
    this.informers.forEach(i => i.stop());
  }

  /** Whether the storage informers and the cluster's pods and nodes all have data. */
  get hasData(): boolean {
    return this.cluster.hasData && this.informers.every(i => i.synced);
  }

  status(): StorageCacheStatus {
    const failing = this.informers.find(i => i.lastError);
    const error = failing?.lastError;
    const broken = this.informers
      .map(i => i.brokenSince)
      .filter((d): d is Date => !!d)
      .sort((a, b) => a.getTime() - b.getTime())[0];
    let state: ClusterState;
    if (!this.informers.every(i => i.synced)) {
      state = error ? 'error' : 'syncing';
    } else if (this.informers.every(i => i.watching)) state = 'synced';
    else state = 'stale';
    const status: StorageCacheStatus = {
      state,
      claims: this.pvcs.items.size,
      volumes: this.pvs.items.size,
    };
    if (state === 'stale' && broken) status.staleSince = broken.toISOString();
    if (error && state !== 'synced') {
      status.lastError = error;
      if (failing?.lastErrorType) status.lastErrorType = failing.lastErrorType;
    }
    return status;
  }
}
