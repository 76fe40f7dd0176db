import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import {
  ClusterCost,
  EntityCostResponse,
  EntityWorkloadCost,
  NodeAndPodCosts,
  PlatformCost,
  POD_SHARE_RULE,
  ProviderRegistry,
  SlimPod,
  SlimPV,
  SlimStorageClass,
  CostEstimateResponse,
  allowedRegions,
  buildClusterCost,
  estimateTemplateCost,
  cheapestAlternative,
  claimCosts,
  nodeAndPodCosts,
  podSetCost,
  reportCurrency,
  stalePriceTables,
  workloadKey,
} from '@cloudlab/plugin-multi-provider-common';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { ClusterCache } from '../shared/ClusterCache';
import { StorageCache } from '../storage/StorageCache';
import { selectPods } from '../shared/PodIndex';
import { resolveEntityPods } from '../shared/entityMatcher';
import { clusterHeader } from '../shared/clusterHeader';
import { AnswerMemo, MemoAnswer, objectId } from '../shared/answerMemo';

/**
 * What the cost answers depend on besides the caches: the age after which a price table warns
 * and the clock (a parameter so tests and the benchmark control it).
 *
 * @alpha
 */
export interface CostServiceOptions {
  maxPriceAgeMs: number;
  now?: () => Date;
}

function byName<T extends { metadata: { name: string } }>(
  items: Iterable<T>,
): Map<string, T> {
  return new Map([...items].map(i => [i.metadata.name, i]));
}

/**
 * Answers the cost routes from the placement and storage caches with the pure cost model of
 * `-common`; no cluster calls per request, answers memoised on what they read.
 *
 * @alpha
 */
export class CostService {
  private readonly platformAnswers = new AnswerMemo<PlatformCost>(1);
  /** Per cluster, every node's price and every pod's share: what entity answers read. */
  private readonly clusterModels = new AnswerMemo<NodeAndPodCosts>();
  private readonly now: () => Date;

  constructor(
    private readonly caches: ClusterCache[],
    private readonly storageCaches: StorageCache[],
    private readonly registry: () => ProviderRegistry,
    private readonly catalog: CatalogService,
    private readonly options: CostServiceOptions,
  ) {
    this.now = options.now ?? (() => new Date());
  }

  private storageOf(cache: ClusterCache): StorageCache | undefined {
    return this.storageCaches.find(s => s.cluster === cache);
  }

  /** What a cluster's answer reads: its header and generations, the registry and the day. */
  private version(registry: ProviderRegistry, day: string): string {
    return [
      objectId(registry),
      day,
      ...this.caches.map(c => {
        const storage = this.storageOf(c);
        return `${JSON.stringify(clusterHeader(c))}|${c.generation}|${
          storage ? `${storage.hasData}:${storage.generation}` : '-'
        }`;
      }),
    ].join('\n');
  }

  /** The platform answer, memoised; the caller must not modify it. */
  platformCostAnswer(): MemoAnswer<PlatformCost> {
    const registry = this.registry();
    const now = this.now();
    return this.platformAnswers.get(
      'platform',
      this.version(registry, now.toISOString().slice(0, 10)),
      () => this.buildPlatformCost(registry, now),
    );
  }

  /** Builds the platform answer from the caches (no memo; the benchmark times it). */
  buildPlatformCost(registry: ProviderRegistry, now: Date): PlatformCost {
    return {
      clusters: this.caches.map(cache => {
        const header = clusterHeader(cache);
        const storage = this.storageOf(cache);
        const withStorage = storage?.hasData ? storage : undefined;
        const built = buildClusterCost({
          nodes: cache.hasData ? cache.nodeInfos(registry) : new Map(),
          pods: cache.hasData ? cache.pods.items.values() : [],
          claims: withStorage ? withStorage.pvcs.items.values() : [],
          volumes: byName<SlimPV>(withStorage?.pvs.items.values() ?? []),
          storageClasses: byName<SlimStorageClass>(
            withStorage?.storageClasses.items.values() ?? [],
          ),
          registry,
          now,
          maxPriceAgeMs: this.options.maxPriceAgeMs,
        });
        const answer: ClusterCost = { ...header, ...built };
        return answer;
      }),
    };
  }

  private clusterModel(
    cache: ClusterCache,
    registry: ProviderRegistry,
  ): NodeAndPodCosts {
    return this.clusterModels.get(
      cache.name,
      `${objectId(registry)}|${cache.generation}`,
      () =>
        nodeAndPodCosts(
          cache.nodeInfos(registry),
          cache.pods.items.values(),
          registry,
          reportCurrency(registry),
        ),
    ).value;
  }

  /** What a template run will cost, before it runs (see `estimateTemplateCost`). */
  estimate(request: {
    providers: string[];
    replicas: number;
    storageSize?: string;
  }): CostEstimateResponse {
    return estimateTemplateCost(this.registry(), request);
  }

  /** An entity's cost: its workloads, their alternatives on each provider, its claims. */
  async entityCost(
    ref: { kind: string; namespace: string; name: string },
    credentials: BackstageCredentials,
  ): Promise<EntityCostResponse> {
    const { entity, query } = await resolveEntityPods(
      this.catalog,
      ref,
      credentials,
    );
    const registry = this.registry();
    const now = this.now();
    return {
      entityRef: stringifyEntityRef(entity),
      currency: reportCurrency(registry) ?? null,
      rule: POD_SHARE_RULE,
      stale: stalePriceTables(registry, now, this.options.maxPriceAgeMs),
      clusters: this.caches.map(cache => {
        const header = clusterHeader(cache);
        if (!cache.hasData) {
          return {
            ...header,
            total: podSetCost([], new Map()),
            workloads: [],
            claims: [],
          };
        }
        const pods = selectPods(cache.pods.items, cache.podIndex, query);
        const { pods: costs } = this.clusterModel(cache, registry);
        return {
          ...header,
          total: podSetCost(pods, costs),
          workloads: workloadCosts(pods, costs, registry),
          claims: this.entityClaims(cache, pods, registry),
        };
      }),
    };
  }

  private entityClaims(
    cache: ClusterCache,
    pods: SlimPod[],
    registry: ProviderRegistry,
  ) {
    const storage = this.storageOf(cache);
    if (!storage?.hasData) return [];
    const wanted = new Set(
      pods.flatMap(p => (p.claims ?? []).map(c => `${p.namespace}/${c}`)),
    );
    const claims = [...storage.pvcs.items.values()].filter(c =>
      wanted.has(`${c.metadata.namespace}/${c.metadata.name}`),
    );
    return claimCosts(
      claims,
      byName(storage.pvs.items.values()),
      byName(storage.storageClasses.items.values()),
      registry,
      reportCurrency(registry),
    );
  }
}

/**
 * An entity's pods by workload, each with its cost and what its replicas would cost on every
 * provider with a price table (one replica's requests: the pods of a workload share a template).
 */
function workloadCosts(
  pods: SlimPod[],
  costs: NodeAndPodCosts['pods'],
  registry: ProviderRegistry,
): EntityWorkloadCost[] {
  const groups = new Map<string, SlimPod[]>();
  for (const pod of pods) {
    const key = workloadKey(pod);
    groups.set(key, [...(groups.get(key) ?? []), pod]);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([id, group]) => {
      const first = group[0];
      const cost = podSetCost(group, costs);
      const replicas = Math.max(1, cost.pods);
      const requests = first.requests ?? { cpuMillis: 0, memoryBytes: 0 };
      const regions = allowedRegions(first.intent);
      return {
        id,
        namespace: first.namespace,
        kind: first.owner?.kind ?? 'Pod',
        name: first.owner?.name ?? first.name,
        ...cost,
        alternatives: registry.providers
          .filter(p => p.prices)
          .map(p => cheapestAlternative(p, requests, replicas, regions)),
      };
    });
}
