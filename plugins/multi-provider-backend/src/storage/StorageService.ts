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
  buildClaimRows,
  buildPlatformStorage,
} from '@internal/plugin-multi-provider-common';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { selectPods } from '../cache/PodIndex';
import { AnswerMemo, MemoAnswer, objectId } from '../services/answerMemo';
import { resolveEntityPods } from '../services/entityMatcher';
import { EntityPodQuery } from '../services/entityPods';
import { querySignature } from '../services/PlacementService';
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

/**
 * Answers the storage routes from the caches; no cluster calls per request. The platform view's
 * snapshot is rebuilt only when a cache changed; entity answers read the informers' maps.
 */
export class StorageService {
  private readonly memo = new Map<
    string,
    {
      key: string;
      snapshot: StorageSnapshot;
      platform?: PlatformStorageCluster;
    }
  >();
  /**
   * Entity answers, rebuilt only when a cluster header, a node, one of the entity's pods, claims,
   * volumes or events, or a StorageClass/CSIDriver/CSINode changed.
   */
  readonly entityAnswers = new AnswerMemo<EntityStorageResponse>();

  constructor(
    private readonly caches: StorageCache[],
    private readonly registry: () => ProviderRegistry,
    private readonly catalog: CatalogService,
  ) {}

  private snapshot(cache: StorageCache) {
    const registry = this.registry();
    const key = `${cache.generation}/${cache.cluster.generation}`;
    const hit = this.memo.get(cache.name);
    if (hit && hit.key === key && hit.snapshot.registry === registry) {
      return hit;
    }
    const entry = {
      key,
      snapshot: {
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
      } satisfies StorageSnapshot,
    };
    this.memo.set(cache.name, entry);
    return entry as typeof entry & { platform?: PlatformStorageCluster };
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
    const version = [
      querySignature(query),
      objectId(this.registry()),
      ...this.caches.map(cache => {
        const head = JSON.stringify(header(cache));
        if (!cache.hasData) return head;
        return `${head}|${this.quietEntityVersion(cache, query)}`;
      }),
    ].join('\n');
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
        const entry = this.snapshot(cache);
        entry.platform ??= {
          ...head,
          ...buildPlatformStorage(entry.snapshot),
        };
        return { ...entry.platform, ...head };
      }),
    };
  }
}
