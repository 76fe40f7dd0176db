import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { NotFoundError } from '@backstage/errors';
import {
  ClusterAdvice,
  ClusterFailureDomain,
  ClusterStatusResponse,
  EntityPlacementResponse,
  FailureDomain,
  FailureDomainAdviceRequest,
  FailureDomainAdviceResponse,
  FailureDomainRequest,
  FailureDomainResponse,
  POD_SHARE_RULE,
  PlatformPlacementResponse,
  ProviderRegistry,
  SlimPod,
  adviseFailureDomain,
  analyseFailureDomain,
  buildClusterPlacement,
  reportCurrency,
  buildPlatformPlacement,
} from '@cloudlab/plugin-multi-provider-common';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { ClusterCache } from '../shared/ClusterCache';
import { StorageCache } from '../storage/StorageCache';
import { selectPods } from '../shared/PodIndex';
import { resolveEntityPods } from '../shared/entityMatcher';
import { EntityPodQuery, querySignature } from '../shared/entityPods';
import { clusterHeader } from '../shared/clusterHeader';
import { AnswerMemo, MemoAnswer, objectId } from '../shared/answerMemo';
import { LiveSignals } from '../shared/liveSignals';
import {
  entityLiveChannel,
  platformLiveChannel,
} from '@cloudlab/plugin-multi-provider-common';

/**
 * The version of an entity's answer for one cluster: its header (state, staleness, error), and
 * when it has data the node version and the stamps of the entity's pod groups. Any change the
 * answer depends on changes it; a change to other workloads' pods does not.
 */
function clusterAnswerVersion(
  cache: ClusterCache,
  query: EntityPodQuery,
): string {
  const head = JSON.stringify(clusterHeader(cache));
  if (!cache.hasData) return head;
  return `${head}|n${cache.nodeVersion}|g${cache.podIndex.version(query)}`;
}

/**
 * Answers the placement routes from the caches; no cluster calls per request.
 *
 * @alpha
 */
export class PlacementService {
  /** Entity answers, rebuilt only when a cluster header, a node or one of the entity's pods changed. */
  readonly entityAnswers = new AnswerMemo<EntityPlacementResponse>();
  /**
   * The platform answer, rebuilt only when a cluster header, a node or a pod changed: it reads
   * every pod, so building and serialising it per request is the route's whole cost.
   */
  private readonly platformAnswers = new AnswerMemo<PlatformPlacementResponse>(
    1,
  );

  constructor(
    private readonly caches: ClusterCache[],
    private readonly registry: () => ProviderRegistry,
    private readonly catalog: CatalogService,
    /** Where the advice reads the size of a volume to copy; optional. */
    private readonly storageCaches: StorageCache[] = [],
    /** When given, every answered entity and the platform answer are followed live. */
    private readonly live?: LiveSignals,
  ) {}

  /** The version of an entity's answer: its query, the registry, and each cluster's part. */
  private entityVersion(query: EntityPodQuery): string {
    return [
      querySignature(query),
      objectId(this.registry()),
      ...this.caches.map(c => clusterAnswerVersion(c, query)),
    ].join('\n');
  }

  /** The version of the platform answer: the registry, each cluster's header and generation. */
  private platformVersion(): string {
    return [
      objectId(this.registry()),
      ...this.caches.map(
        c => `${JSON.stringify(clusterHeader(c))}|${c.generation}`,
      ),
    ].join('\n');
  }

  clusterStatus(): ClusterStatusResponse {
    return { clusters: this.caches.map(c => c.status()) };
  }

  async entityPlacement(
    ref: { kind: string; namespace: string; name: string },
    credentials: BackstageCredentials,
  ): Promise<EntityPlacementResponse> {
    return (await this.entityPlacementAnswer(ref, credentials)).value;
  }

  /** The entity's answer, memoised (see {@link AnswerMemo}); the caller must not modify it. */
  async entityPlacementAnswer(
    ref: { kind: string; namespace: string; name: string },
    credentials: BackstageCredentials,
  ): Promise<MemoAnswer<EntityPlacementResponse>> {
    const { entity, query } = await resolveEntityPods(
      this.catalog,
      ref,
      credentials,
    );
    const registry = this.registry();
    const entityRef = stringifyEntityRef(entity);
    const version = this.entityVersion(query);
    this.live?.follow(
      entityLiveChannel(entityRef, 'placement'),
      () => this.entityVersion(query),
      version,
    );
    return this.entityAnswers.get(entityRef, version, () =>
      this.buildEntityPlacement(entityRef, query, registry),
    );
  }

  /** Builds the entity's answer from the caches (no memo; the benchmark times it). */
  buildEntityPlacement(
    entityRef: string,
    query: EntityPodQuery,
    registry: ProviderRegistry,
  ): EntityPlacementResponse {
    return {
      entityRef,
      clusters: this.caches.map(cache => {
        const header = clusterHeader(cache);
        if (!cache.hasData) {
          return {
            ...header,
            providers: [],
            unscheduled: [],
            podCount: 0,
            warnings: [],
          };
        }
        const pods = selectPods(cache.pods.items, cache.podIndex, query);
        return {
          ...header,
          ...buildClusterPlacement({
            pods,
            nodes: cache.nodeInfos(registry),
            registry,
          }),
        };
      }),
    };
  }

  /** The platform answer, memoised (see {@link AnswerMemo}); the caller must not modify it. */
  platformPlacementAnswer(): MemoAnswer<PlatformPlacementResponse> {
    const registry = this.registry();
    const version = this.platformVersion();
    this.live?.follow(
      platformLiveChannel('placement'),
      () => this.platformVersion(),
      version,
    );
    return this.platformAnswers.get('platform', version, () =>
      this.buildPlatformPlacement(registry),
    );
  }

  private buildPlatformPlacement(
    registry: ProviderRegistry,
  ): PlatformPlacementResponse {
    return {
      clusters: this.caches.map(cache => {
        const header = clusterHeader(cache);
        if (!cache.hasData) return { ...header, providers: [], nonEuNodes: [] };
        return {
          ...header,
          ...buildPlatformPlacement(
            cache.nodeInfos(registry),
            cache.pods.items.values(),
            registry,
          ),
        };
      }),
    };
  }

  /**
   * A failure-domain answer: per cluster asked for (all when none is named), the header and the
   * `empty` body without data, else `build` on its nodes and pods.
   */
  private perCluster<T>(
    request: { cluster?: string; level: FailureDomain['level']; name: string },
    empty: (registry: ProviderRegistry) => T,
    build: (
      input: {
        nodes: ReturnType<ClusterCache['nodeInfos']>;
        pods: Iterable<SlimPod>;
        registry: ProviderRegistry;
        domain: FailureDomain;
      },
      cache: ClusterCache,
    ) => T,
  ) {
    const registry = this.registry();
    const caches = request.cluster
      ? this.caches.filter(c => c.name === request.cluster)
      : this.caches;
    if (request.cluster && caches.length === 0) {
      throw new NotFoundError(`Unknown cluster ${request.cluster}`);
    }
    const domain = { level: request.level, name: request.name };
    return {
      domain,
      clusters: caches.map(cache => ({
        ...clusterHeader(cache),
        ...(cache.hasData
          ? build(
              {
                nodes: cache.nodeInfos(registry),
                pods: cache.pods.items.values(),
                registry,
                domain,
              },
              cache,
            )
          : empty(registry)),
      })),
    };
  }

  /**
   * The advice for each service the loss would not leave surviving, from the same input as
   * {@link PlacementService.failureDomain} (so the verdicts match) and the claims' sizes.
   */
  failureDomainAdvice(
    request: FailureDomainAdviceRequest,
  ): FailureDomainAdviceResponse {
    return this.perCluster<Omit<ClusterAdvice, 'cluster' | 'state'>>(
      request,
      registry => ({
        currency: reportCurrency(registry) ?? null,
        rule: POD_SHARE_RULE,
        services: [],
      }),
      (input, cache) => {
        const storage = this.storageCaches.find(s => s.cluster === cache);
        return adviseFailureDomain({
          ...input,
          claims: storage?.hasData ? storage.pvcs.items.values() : [],
          services: request.services,
        });
      },
    );
  }

  failureDomain(request: FailureDomainRequest): FailureDomainResponse {
    return this.perCluster<Omit<ClusterFailureDomain, 'cluster' | 'state'>>(
      request,
      () => ({
        lostNodes: [],
        services: [],
        summary: { survives: 0, degraded: 0, down: 0 },
      }),
      input => analyseFailureDomain(input),
    );
  }
}
