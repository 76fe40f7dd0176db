import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import {
  ClusterStorage,
  EntityStorageResponse,
  PlatformStorageCluster,
  PlatformStorageResponse,
  ProviderRegistry,
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
    errorType?: typeof placement.lastErrorType;
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

/**
 * Answers the storage routes from the caches; no cluster calls per request. The cluster's
 * snapshot (and the platform view) is rebuilt only when a cache changed.
 */
export class StorageService {
  private readonly memo = new Map<
    string,
    {
      key: string;
      byNamespace: Map<string, SlimPVC[]>;
      snapshot: StorageSnapshot;
      platform?: PlatformStorageCluster;
    }
  >();
  /**
   * Entity answers, rebuilt only when a cluster header, the storage cache, a node or one of the
   * entity's pods changed.
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
    const byNamespace = new Map<string, SlimPVC[]>();
    for (const c of cache.pvcs.items.values()) {
      const list = byNamespace.get(c.metadata.namespace);
      if (list) list.push(c);
      else byNamespace.set(c.metadata.namespace, [c]);
    }
    const entry = {
      key,
      byNamespace,
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
        return `${head}|s${cache.generation}|n${
          cache.cluster.nodeVersion
        }|g${cache.cluster.podIndex.version(query)}`;
      }),
    ].join('\n');
    return this.entityAnswers.get(entityRef, version, () =>
      this.buildEntityStorage(entityRef, query),
    );
  }

  /** Builds the entity's answer from the caches (no memo; the benchmark times it). */
  buildEntityStorage(
    entityRef: string,
    query: EntityPodQuery,
  ): EntityStorageResponse {
    const { matches } = query;
    return {
      entityRef,
      clusters: this.caches.map((cache): ClusterStorage => {
        const head = header(cache);
        if (!cache.hasData) return { ...head, claims: [], findings: [] };
        const entry = this.snapshot(cache);
        const { snapshot } = entry;
        const pods = selectPods(
          cache.cluster.pods.items,
          cache.cluster.podIndex,
          query,
        );
        // The claims the entity's pods mount, plus claims carrying the entity's labels.
        const wanted = new Set<string>();
        for (const p of pods) {
          for (const c of p.claims ?? []) wanted.add(`${p.namespace}/${c}`);
        }
        // Claim label matching is limited to the namespaces the entity's pods run in.
        const claims: SlimPVC[] = [];
        for (const ns of new Set(pods.map(p => p.namespace))) {
          for (const c of entry.byNamespace.get(ns) ?? []) {
            const key = `${c.metadata.namespace}/${c.metadata.name}`;
            if (
              wanted.has(key) ||
              (c.metadata.labels &&
                matches({
                  namespace: c.metadata.namespace,
                  labels: c.metadata.labels,
                } as SlimPod))
            ) {
              claims.push(c);
            }
          }
        }
        claims.sort(
          (a, b) =>
            a.metadata.namespace.localeCompare(b.metadata.namespace) ||
            a.metadata.name.localeCompare(b.metadata.name),
        );
        return { ...head, ...buildClaimRows(snapshot, claims, pods) };
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
