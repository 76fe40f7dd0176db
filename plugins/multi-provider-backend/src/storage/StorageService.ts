import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import {
  ClusterErrorType,
  ClusterStorage,
  EntityStorageResponse,
  PlatformStorageCluster,
  PlatformStorageResponse,
  ProviderRegistry,
  SlimEvent,
  SlimNode,
  SlimPV,
  SlimPVC,
  SlimPod,
  StorageSnapshot,
  CsiDriverRow,
  buildClaimRows,
  buildCsiDriverRows,
  clusterFindings,
  PlatformFindings,
  StorageCounts,
  StorageFinding,
  summarizeFindings,
  entityLiveChannel,
  platformLiveChannel,
} from '@cloudlab/plugin-multi-provider-common';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { selectPods } from '../shared/PodIndex';
import { AnswerMemo, MemoAnswer, objectId } from '../shared/answerMemo';
import { LiveSignals } from '../shared/liveSignals';
import { resolveEntityPods } from '../shared/entityMatcher';
import { EntityPodQuery, querySignature } from '../shared/entityPods';
import { IncrementalClaimFindings } from './IncrementalClaimFindings';
import { IncrementalStorageCounts } from './IncrementalStorageCounts';
import { StorageCache } from './StorageCache';

/** Per-cluster answer header from both the placement and the storage cache state. */
function header(cache: StorageCache) {
  const placement = cache.cluster.status();
  const storage = cache.status();
  const order = ['error', 'syncing', 'stale', 'synced'] as const;
  const state = order.find(s => s === placement.state || s === storage.state)!;
  const out: {
    cluster: string;
    state: typeof state;
    staleSince?: string;
    error?: string;
    errorType?: ClusterErrorType;
  } = { cluster: cache.name, state };
  const staleSince = storage.staleSince ?? placement.staleSince;
  if (state === 'stale' && staleSince) out.staleSince = staleSince;
  const error = placement.lastError ?? storage.lastError;
  if (error) out.error = error;
  const errorType = placement.lastError
    ? placement.lastErrorType
    : storage.lastErrorType;
  if (error && errorType) out.errorType = errorType;
  if (!cache.hasData && !out.error) out.error = 'cluster not synced yet';
  return out;
}

const claimKey = (c: SlimPVC) => `${c.metadata.namespace}/${c.metadata.name}`;

/**
 * The entity's pods and claims in one cluster: the claims its pods mount, plus claims carrying
 * labels the entity selects in the namespaces its pods run in (through the claim index, never a
 * scan of the cluster's claims). `candidates` are the claim keys the answer depends on.
 */
function entityObjects(cache: StorageCache, query: EntityPodQuery) {
  const pods = selectPods(
    cache.cluster.pods.items,
    cache.cluster.podIndex,
    query,
  );
  const candidates = new Set<string>();
  for (const p of pods) {
    for (const c of p.claims ?? []) candidates.add(`${p.namespace}/${c}`);
  }
  const mounted = new Set(candidates);
  const namespaces = new Set(pods.map(p => p.namespace));
  for (const key of cache.claimIndex.select(query)) candidates.add(key);
  const claims: SlimPVC[] = [];
  for (const key of candidates) {
    const c = cache.pvcs.items.get(key);
    if (!c) continue;
    // Claim label matching is limited to the namespaces the entity's pods run in.
    if (
      mounted.has(key) ||
      (c.metadata.labels && namespaces.has(c.metadata.namespace))
    ) {
      claims.push(c);
    }
  }
  return { pods, claims, candidates };
}

/** Keys of the objects whose events the answer shows: its claims and pods (once each). */
function eventKeys(claims: SlimPVC[], pods: SlimPod[]): Set<string> {
  return new Set([
    ...claims.map(claimKey),
    ...pods.map(p => `${p.namespace}/${p.name}`),
  ]);
}

/**
 * The version of everything the entity's answer reads in one cluster (besides its header):
 * nodes, the entity's pod groups, StorageClasses/CSIDrivers/CSINodes, the stamps of its
 * candidate claims, of their volumes and of the events about its claims and pods. A change of
 * another entity's claim, volume or pods leaves it unchanged ([ADR 0502](../../../../docs/adr/0502-entity-answers-memoised-on-group-stamps.md)).
 */
function entityVersion(cache: StorageCache, query: EntityPodQuery): string {
  const { pods, claims, candidates } = entityObjects(cache, query);
  const volumes = claims
    .map(c => c.spec.volumeName)
    .filter((v): v is string => !!v);
  return [
    `n${cache.cluster.nodeVersion}`,
    `g${cache.cluster.podIndex.version(query)}`,
    `k${cache.classVersion}`,
    `c${cache.claimStamps.version(candidates)}`,
    `v${cache.volumeStamps.version(volumes)}`,
    `e${cache.eventStamps.version(eventKeys(claims, pods))}`,
  ].join('|');
}

/** Entity versions kept per cluster between changes (one small entry per entity query). */
const VERSION_MEMO_ENTRIES = 1000;

/** One memoised part of a cluster's platform storage view and the versions it was built at. */
interface Part<T> {
  key: string;
  value: T;
}

/** A cluster's platform storage view, in parts that change with different objects. */
interface PlatformParts {
  registry: ProviderRegistry;
  csi?: Part<CsiDriverRow[]>;
  counts?: Part<StorageCounts>;
  /** The findings not about one claim (classes, volumes, pods, nodes). */
  clusterFindings?: Part<StorageFinding[]>;
  findings?: Part<PlatformFindings>;
}

/**
 * Answers the storage routes from the caches; no cluster calls per request. The platform view
 * is kept in parts, each read again only when what it reads changed: CSI drivers (CSIDrivers,
 * CSINodes, nodes), counts (claims, volumes, classes) and findings (those, events, and the pods
 * the findings read). The counts are sums kept change by change (`IncrementalStorageCounts`).
 * The findings are kept in two: those about each claim, judged again per changed claim
 * (`IncrementalClaimFindings`), and the rest (classes, volumes, pods, nodes), rebuilt when
 * anything but a claim changed. Entity answers read the informers' maps.
 *
 * @alpha
 */
export class StorageService {
  private readonly platform = new WeakMap<StorageCache, PlatformParts>();
  /** Per cache, what is kept between changes: the claim findings and the counts. */
  private readonly incremental = new WeakMap<
    StorageCache,
    {
      claimFindings: IncrementalClaimFindings;
      counts: IncrementalStorageCounts;
    }
  >();
  /** Rebuilds of each platform part, for tests and benchmarks. */
  readonly platformBuilds = {
    csi: 0,
    counts: 0,
    findings: 0,
    clusterFindings: 0,
    /** Claims whose findings were judged (again). */
    claimsJudged: 0,
    /** Counts summed from every claim and volume (not kept up to date change by change). */
    countSums: 0,
  };
  /**
   * Entity answers, rebuilt only when a cluster header, a node, one of the entity's pods, claims,
   * volumes or events, or a StorageClass/CSIDriver/CSINode changed.
   */
  readonly entityAnswers = new AnswerMemo<EntityStorageResponse>();

  constructor(
    private readonly caches: StorageCache[],
    private readonly registry: () => ProviderRegistry,
    private readonly catalog: CatalogService,
    /** When given, every answered entity and the platform view are followed live. */
    private readonly live?: LiveSignals,
  ) {}

  /**
   * The version of the platform view: the registry and, per cluster, its header and the
   * versions its parts are kept on (a pod the findings do not read moves none of them).
   */
  private platformVersion(): string {
    return [
      objectId(this.registry()),
      ...this.caches.map(c =>
        [
          JSON.stringify(header(c)),
          c.classVersion,
          c.claimsVersion,
          c.volumesVersion,
          c.eventsVersion,
          c.podFindingsVersion,
          c.cluster.nodeVersion,
        ].join('|'),
      ),
    ].join('\n');
  }

  /**
   * What the CSI drivers and the cluster findings read, copied from the informers' maps (only
   * when one of them is rebuilt: the counts and the claim findings are kept change by change).
   */
  private snapshot(
    cache: StorageCache,
    registry: ProviderRegistry,
  ): StorageSnapshot {
    return {
      registry,
      pvcs: [...cache.pvcs.items.values()],
      pvs: new Map(
        [...cache.pvs.items.values()].map(pv => [pv.metadata.name, pv]),
      ),
      storageClasses: new Map(
        [...cache.storageClasses.items.values()].map(sc => [
          sc.metadata.name,
          sc,
        ]),
      ),
      csiDrivers: [...cache.csiDrivers.items.values()],
      csiNodes: [...cache.csiNodes.items.values()],
      events: [...cache.events.items.values()],
      pods: [...cache.cluster.pods.items.values()],
      nodes: new Map(
        [...cache.cluster.nodes.items.values()].map(n => [n.name, n]),
      ),
    };
  }

  /** The cluster's platform view: each part reused while the versions it depends on hold. */
  private platformView(cache: StorageCache) {
    const registry = this.registry();
    let parts = this.platform.get(cache);
    if (!parts || parts.registry !== registry) {
      parts = { registry };
      this.platform.set(cache, parts);
    }
    const nodes = cache.cluster.nodeVersion;
    const clusterFindingsKey = [
      cache.volumesVersion,
      cache.classVersion,
      cache.eventsVersion,
      nodes,
      cache.podFindingsVersion,
    ].join('|');
    const keys = {
      csi: `${cache.classVersion}|${nodes}`,
      counts: `${cache.claimsVersion}|${cache.volumesVersion}|${cache.classVersion}`,
      clusterFindings: clusterFindingsKey,
      findings: `${cache.claimsVersion}|${clusterFindingsKey}`,
    };
    let snapshot: StorageSnapshot | undefined;
    const view = () => (snapshot ??= this.snapshot(cache, registry));
    if (parts.csi?.key !== keys.csi) {
      this.platformBuilds.csi += 1;
      parts.csi = { key: keys.csi, value: buildCsiDriverRows(view()) };
    }
    let incremental = this.incremental.get(cache);
    if (!incremental) {
      incremental = {
        claimFindings: new IncrementalClaimFindings(cache),
        counts: new IncrementalStorageCounts(cache),
      };
      this.incremental.set(cache, incremental);
    }
    if (parts.counts?.key !== keys.counts) {
      this.platformBuilds.counts += 1;
      const sums = incremental.counts.fullSums;
      parts.counts = {
        key: keys.counts,
        value: incremental.counts.counts(registry),
      };
      this.platformBuilds.countSums += incremental.counts.fullSums - sums;
    }
    if (parts.findings?.key !== keys.findings) {
      this.platformBuilds.findings += 1;
      if (parts.clusterFindings?.key !== keys.clusterFindings) {
        this.platformBuilds.clusterFindings += 1;
        const v = view();
        parts.clusterFindings = {
          key: keys.clusterFindings,
          value: clusterFindings({
            registry,
            storageClasses: [...v.storageClasses.values()],
            pvcs: [],
            pvs: v.pvs,
            pods: v.pods,
            events: v.events,
            nodes: [...v.nodes.values()],
            csiNodes: v.csiNodes,
          }),
        };
      }
      const judged = incremental.claimFindings.judged;
      const aboutClaims = incremental.claimFindings.findings(registry);
      this.platformBuilds.claimsJudged +=
        incremental.claimFindings.judged - judged;
      parts.findings = {
        key: keys.findings,
        value: summarizeFindings([
          ...parts.clusterFindings.value,
          ...aboutClaims,
        ]),
      };
    }
    return {
      csiDrivers: parts.csi.value,
      ...parts.counts.value,
      ...parts.findings.value,
    };
  }

  async entityStorage(
    ref: { kind: string; namespace: string; name: string },
    credentials: BackstageCredentials,
  ): Promise<EntityStorageResponse> {
    return (await this.entityStorageAnswer(ref, credentials)).value;
  }

  /** Per cache, the last entity versions by query signature, with the generations they were read at. */
  private readonly versions = new WeakMap<
    StorageCache,
    Map<string, { cluster: number; storage: number; version: string }>
  >();

  /**
   * `entityVersion`, reused while neither of the cluster's caches changed at all since it was
   * computed (both generations unchanged): computing it selects the entity's pods and reads the
   * stamps of their claims, volumes and events, O(pods) per request otherwise. Any change to a
   * node, pod, claim, volume, class or event bumps a generation, and the version is read again.
   * At most VERSION_MEMO_ENTRIES queries per cluster (the oldest dropped).
   */
  private quietEntityVersion(cache: StorageCache, query: EntityPodQuery) {
    let byQuery = this.versions.get(cache);
    if (!byQuery) this.versions.set(cache, (byQuery = new Map()));
    const key = querySignature(query);
    const seen = byQuery.get(key);
    if (
      seen &&
      seen.cluster === cache.cluster.generation &&
      seen.storage === cache.generation
    )
      return seen.version;
    const entry = {
      cluster: cache.cluster.generation,
      storage: cache.generation,
      version: entityVersion(cache, query),
    };
    byQuery.delete(key);
    byQuery.set(key, entry);
    if (byQuery.size > VERSION_MEMO_ENTRIES)
      byQuery.delete(byQuery.keys().next().value!);
    return entry.version;
  }

  /** The version of an entity's answer: its query, the registry, and each cluster's part. */
  private entityAnswerVersion(query: EntityPodQuery): string {
    return [
      querySignature(query),
      objectId(this.registry()),
      ...this.caches.map(cache => {
        const head = JSON.stringify(header(cache));
        if (!cache.hasData) return head;
        return `${head}|${this.quietEntityVersion(cache, query)}`;
      }),
    ].join('\n');
  }

  /** The entity's answer, memoised (see {@link AnswerMemo}); the caller must not modify it. */
  async entityStorageAnswer(
    ref: { kind: string; namespace: string; name: string },
    credentials: BackstageCredentials,
  ): Promise<MemoAnswer<EntityStorageResponse>> {
    const { entity, query } = await resolveEntityPods(
      this.catalog,
      ref,
      credentials,
    );
    const entityRef = stringifyEntityRef(entity);
    const version = this.entityAnswerVersion(query);
    this.live?.follow(
      entityLiveChannel(entityRef, 'storage'),
      () => this.entityAnswerVersion(query),
      version,
    );
    return this.entityAnswers.get(entityRef, version, () =>
      this.buildEntityStorage(entityRef, query),
    );
  }

  /**
   * Builds the entity's answer from the informers' maps, reading only the entity's pods,
   * claims, volumes, events and nodes (no memo; the benchmark times it).
   */
  buildEntityStorage(
    entityRef: string,
    query: EntityPodQuery,
  ): EntityStorageResponse {
    const registry = this.registry();
    return {
      entityRef,
      clusters: this.caches.map((cache): ClusterStorage => {
        const head = header(cache);
        if (!cache.hasData) return { ...head, claims: [], findings: [] };
        const { pods, claims } = entityObjects(cache, query);
        claims.sort(
          (a, b) =>
            a.metadata.namespace.localeCompare(b.metadata.namespace) ||
            a.metadata.name.localeCompare(b.metadata.name),
        );
        const pvs = new Map<string, SlimPV>();
        for (const c of claims) {
          const pv = c.spec.volumeName
            ? cache.pvs.items.get(`/${c.spec.volumeName}`)
            : undefined;
          if (pv) pvs.set(pv.metadata.name, pv);
        }
        const nodes = new Map<string, SlimNode>();
        for (const p of pods) {
          const node = p.nodeName
            ? cache.cluster.nodes.items.get(`/${p.nodeName}`)
            : undefined;
          if (node) nodes.set(node.name, node);
        }
        const events: SlimEvent[] = [];
        for (const key of eventKeys(claims, pods)) {
          for (const e of cache.eventStamps.items(key)) {
            const event = cache.events.items.get(e);
            if (event) events.push(event);
          }
        }
        const view: StorageSnapshot = {
          registry,
          pvcs: claims,
          pvs,
          storageClasses: new Map(
            [...cache.storageClasses.items.values()].map(sc => [
              sc.metadata.name,
              sc,
            ]),
          ),
          csiDrivers: [],
          csiNodes: [],
          events,
          pods,
          nodes,
        };
        return { ...head, ...buildClaimRows(view, claims, pods) };
      }),
    };
  }

  platformStorage(): PlatformStorageResponse {
    if (this.live) {
      const version = this.platformVersion();
      this.live.follow(
        platformLiveChannel('storage'),
        () => this.platformVersion(),
        version,
      );
    }
    return {
      clusters: this.caches.map((cache): PlatformStorageCluster => {
        const head = header(cache);
        if (!cache.hasData) {
          return {
            ...head,
            csiDrivers: [],
            storageClasses: [],
            zones: [],
            totals: { claims: 0, pendingClaims: 0, volumes: 0 },
            findings: [],
            findingsTotal: 0,
            findingCounts: {},
          };
        }
        return { ...this.platformView(cache), ...head };
      }),
    };
  }
}
