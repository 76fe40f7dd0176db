import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { NotFoundError } from '@backstage/errors';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import {
  ClusterFluxList,
  ClusterGitOps,
  ClusterSecrets,
  EntityGitOpsResponse,
  EntitySecretsResponse,
  FLUX_CLAIM_ANNOTATIONS,
  FluxClaim,
  FluxKind,
  FluxObject,
  FluxObjectRef,
  PlatformGitOpsResponse,
  RollupVerdict,
  SlimFluxObject,
  SlimPod,
  SlimVsoObject,
  VsoKind,
  VsoObject,
  dependencyChain,
  describeFluxObject,
  fluxClaimsOf,
  missingFluxObject,
  rollup,
  rollupVerdictSchema,
  vsoObjectState,
} from '@cloudlab/plugin-multi-provider-common';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { ClusterCache } from '../shared/ClusterCache';
import { clusterHeader } from '../shared/clusterHeader';
import { KUBERNETES_NAMESPACE_ANNOTATION } from '../shared/entityPods';
import {
  FLUX_RESOURCES,
  GitOpsInformers,
  VSO_RESOURCES,
  unavailableResources,
} from './resources';

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet']);
const VSO_GROUP = 'secrets.hashicorp.com';

const key = (namespace: string, name: string) => `${namespace}/${name}`;

function claimMatches(
  claim: FluxClaim,
  cluster: string,
  o: { namespace: string; name: string },
) {
  return (
    (!claim.cluster || claim.cluster === cluster) &&
    (!claim.namespace || claim.namespace === o.namespace) &&
    claim.name === o.name
  );
}

type WorkloadPlacement = Map<string, { pods: number; nodes: Set<string> }>;
const placementMemo = new WeakMap<
  ClusterCache,
  { generation: number; placement: WorkloadPlacement }
>();

/** `workloadPlacement` of the cache's pods, rebuilt only when the cache's generation moves. */
function cachedWorkloadPlacement(cache: ClusterCache): WorkloadPlacement {
  const memo = placementMemo.get(cache);
  if (memo?.generation === cache.generation) return memo.placement;
  const placement = workloadPlacement(cache.pods.items.values());
  placementMemo.set(cache, { generation: cache.generation, placement });
  return placement;
}

/** Where each workload's pods run, from the placement cache (one pass over the pods). */
function workloadPlacement(pods: Iterable<SlimPod>): WorkloadPlacement {
  const byWorkload = new Map<string, { pods: number; nodes: Set<string> }>();
  for (const pod of pods) {
    if (!pod.owner || !WORKLOAD_KINDS.has(pod.owner.kind)) continue;
    const k = `${pod.namespace}/${pod.owner.kind}/${pod.owner.name}`;
    const entry = byWorkload.get(k) ?? { pods: 0, nodes: new Set<string>() };
    entry.pods += 1;
    if (pod.nodeName) entry.nodes.add(pod.nodeName);
    byWorkload.set(k, entry);
  }
  return byWorkload;
}

/**
 * Answers the GitOps and Secrets views from the watch caches: no cluster request per call, and
 * nothing from Secrets (the caches hold trimmed Flux and VSO objects only).
 */
export class GitOpsService {
  constructor(
    private readonly clusters: GitOpsInformers[],
    private readonly catalog: CatalogService,
  ) {}

  /** The configured cluster names (the only targets the actions accept). */
  clusterNames() {
    return this.clusters.map(c => c.cache.name);
  }

  /** The cached Flux object, or `undefined`. */
  findFluxObject(ref: FluxObjectRef): SlimFluxObject | undefined {
    return this.clusters
      .find(c => c.cache.name === ref.cluster)
      ?.flux[ref.kind].items.get(key(ref.namespace, ref.name));
  }

  /**
   * The entities the entity route shows this object for as their own (claims, not
   * `flux-applied-by`): the entities a change of the object concerns.
   */
  async entitiesClaiming(
    ref: FluxObjectRef,
    credentials: BackstageCredentials,
  ): Promise<Entity[]> {
    if (!(ref.kind in FLUX_CLAIM_ANNOTATIONS)) return [];
    const annotation =
      FLUX_CLAIM_ANNOTATIONS[ref.kind as keyof typeof FLUX_CLAIM_ANNOTATIONS];
    const { items } = await this.catalog.getEntities(
      {
        filter: {
          [`metadata.annotations.${annotation}`]: CATALOG_FILTER_EXISTS,
        },
      },
      { credentials },
    );
    return items.filter(e =>
      fluxClaimsOf(e.metadata.annotations).some(
        claim =>
          !claim.appliedBy &&
          claim.kind === ref.kind &&
          claimMatches(claim, ref.cluster, ref),
      ),
    );
  }

  private async entity(
    ref: { kind: string; namespace: string; name: string },
    credentials: BackstageCredentials,
  ): Promise<Entity> {
    const entity = await this.catalog.getEntityByRef(ref, { credentials });
    if (!entity) {
      throw new NotFoundError(
        `Entity ${ref.kind}:${ref.namespace}/${ref.name} not found`,
      );
    }
    return entity;
  }

  /** The entity's claimed objects (and their appliers) found in one cluster; missing claims too. */
  private ownObjects(c: GitOpsInformers, claims: FluxClaim[]) {
    const own: SlimFluxObject[] = [];
    const appliers: SlimFluxObject[] = [];
    const missing: FluxObjectRef[] = [];
    for (const claim of claims) {
      const found = [...c.flux[claim.kind].items.values()].filter(o =>
        claimMatches(claim, c.cache.name, o),
      );
      (claim.appliedBy ? appliers : own).push(...found);
      if (
        found.length === 0 &&
        !claim.appliedBy &&
        claim.cluster === c.cache.name &&
        claim.namespace &&
        c.flux[claim.kind].synced
      ) {
        missing.push({
          cluster: c.cache.name,
          kind: claim.kind,
          namespace: claim.namespace,
          name: claim.name,
        });
      }
    }
    return { own: unique(own), appliers: unique(appliers), missing };
  }

  /**
   * Which VSO objects of one cluster are the entity's (its Secrets card): those its own
   * Kustomizations applied (inventory) and those in its `backstage.io/kubernetes-namespace`.
   */
  private vsoObjectsOf(c: GitOpsInformers, entity: Entity) {
    const { own } = this.ownObjects(c, fluxClaimsOf(entity.metadata.annotations));
    const namespace = entity.metadata.annotations?.[KUBERNETES_NAMESPACE_ANNOTATION];
    const wanted = new Set<string>();
    for (const o of own) {
      for (const e of o.inventory ?? []) {
        if (e.group === VSO_GROUP) wanted.add(`${e.kind}/${e.namespace}/${e.name}`);
      }
    }
    return (kind: VsoKind, o: { namespace: string; name: string }) =>
      wanted.has(`${kind}/${o.namespace}/${o.name}`) ||
      Boolean(namespace && o.namespace === namespace);
  }

  /** The entities whose Secrets card shows this VSO object: the entities its sync concerns. */
  async entitiesWithVsoObject(
    ref: { cluster: string; kind: VsoKind; namespace: string; name: string },
    credentials: BackstageCredentials,
  ): Promise<Entity[]> {
    const c = this.clusters.find(x => x.cache.name === ref.cluster);
    if (!c) return [];
    const { items } = await this.catalog.getEntities(
      {
        filter: [
          ...Object.values(FLUX_CLAIM_ANNOTATIONS).map(a => ({
            [`metadata.annotations.${a}`]: CATALOG_FILTER_EXISTS,
          })),
          {
            [`metadata.annotations.${KUBERNETES_NAMESPACE_ANNOTATION}`]:
              ref.namespace,
          },
        ],
      },
      { credentials },
    );
    return items.filter(e => this.vsoObjectsOf(c, e)(ref.kind, ref));
  }

  async entityGitOps(
    ref: { kind: string; namespace: string; name: string },
    credentials: BackstageCredentials,
  ): Promise<EntityGitOpsResponse> {
    const entity = await this.entity(ref, credentials);
    const claims = fluxClaimsOf(entity.metadata.annotations);
    const allOwn: FluxObject[] = [];
    const allLinks: ClusterGitOps['links'] = [];
    const clusters = this.clusters.map((c): ClusterGitOps => {
      const header = clusterHeader(c.cache);
      const unavailable = unavailableResources(c.flux, FLUX_RESOURCES);
      const { own, appliers, missing } = this.ownObjects(c, claims);
      const lookup = (kind: FluxKind, namespace: string, name: string) =>
        c.flux[kind].items.get(key(namespace, name));
      const placement = cachedWorkloadPlacement(c.cache);
      const describe = (o: SlimFluxObject): FluxObject => {
        const d = describeFluxObject(c.cache.name, o);
        if (d.inventory) {
          d.inventory = d.inventory.map(e => {
            const p = WORKLOAD_KINDS.has(e.kind)
              ? placement.get(`${e.namespace}/${e.kind}/${e.name}`)
              : undefined;
            return p
              ? { ...e, placement: { pods: p.pods, nodes: [...p.nodes].sort() } }
              : e;
          });
        }
        return d;
      };
      const objects = [...own.map(describe), ...missing.map(missingFluxObject)];
      // An applier of one of the entity's own objects is the entity's parent in the chain.
      const ownKeys = new Set(own.map(o => `${o.kind}/${o.namespace}/${o.name}`));
      const chain = dependencyChain(
        c.cache.name,
        own,
        lookup,
        appliers
          .filter(a => !ownKeys.has(`${a.kind}/${a.namespace}/${a.name}`))
          .flatMap(a =>
            own.slice(0, 1).map(of => ({
              of,
              applier: { cluster: c.cache.name, kind: a.kind, namespace: a.namespace, name: a.name },
            })),
          ),
      );
      allOwn.push(...objects);
      allLinks.push(...chain.links);
      return {
        ...header,
        objects,
        related: chain.related,
        links: chain.links,
        unavailable,
      };
    });
    return {
      entityRef: stringifyEntityRef(entity),
      rollup: rollup(allOwn, allLinks),
      clusters,
    };
  }

  /** Every Flux object of every cluster with its own roll-up; filtered by verdict and cluster. */
  platformGitOps(filter: {
    state: RollupVerdict[];
    cluster?: string;
  }): PlatformGitOpsResponse {
    const caches = filter.cluster
      ? this.clusters.filter(c => c.cache.name === filter.cluster)
      : this.clusters;
    if (filter.cluster && caches.length === 0) {
      throw new NotFoundError(`Unknown cluster ${filter.cluster}`);
    }
    return {
      clusters: caches.map((c): ClusterFluxList => {
        const lookup = (kind: FluxKind, namespace: string, name: string) =>
          c.flux[kind].items.get(key(namespace, name));
        const counts = Object.fromEntries(
          rollupVerdictSchema.options.map(v => [v, 0]),
        ) as Record<RollupVerdict, number>;
        const objects = (Object.keys(c.flux) as FluxKind[])
          .flatMap(kind => [...c.flux[kind].items.values()])
          .map(o => {
            const { inventory, ...described } = describeFluxObject(c.cache.name, o);
            const chain = dependencyChain(c.cache.name, [o], lookup);
            const r = rollup([described], chain.links);
            counts[r.verdict] += 1;
            return {
              ...described,
              rollup: r,
              ...(inventory ? { inventoryCount: inventory.length } : {}),
            };
          })
          .filter(o => !filter.state.length || filter.state.includes(o.rollup.verdict))
          .sort((a, b) =>
            `${a.kind}/${a.namespace}/${a.name}`.localeCompare(`${b.kind}/${b.namespace}/${b.name}`),
          );
        return {
          ...clusterHeader(c.cache),
          objects,
          counts,
          unavailable: unavailableResources(c.flux, FLUX_RESOURCES),
        };
      }),
    };
  }

  /**
   * The entity's VSO objects per cluster: those its own Kustomizations applied (inventory) and
   * those in its `backstage.io/kubernetes-namespace`, with the VaultAuths they use and those
   * auths' VaultAuthGlobal and VaultConnection (by reference, whatever their names).
   */
  async entitySecrets(
    ref: { kind: string; namespace: string; name: string },
    credentials: BackstageCredentials,
  ): Promise<EntitySecretsResponse> {
    const entity = await this.entity(ref, credentials);
    return {
      entityRef: stringifyEntityRef(entity),
      clusters: this.clusters.map((c): ClusterSecrets => {
        const shows = this.vsoObjectsOf(c, entity);
        const pick = (kind: 'VaultStaticSecret' | 'VaultDynamicSecret' | 'VaultAuth') =>
          [...c.vso[kind].items.values()].filter(o => shows(kind, o));
        const describe = (o: SlimVsoObject): VsoObject => {
          const d: VsoObject = { ...o, cluster: c.cache.name, ...vsoObjectState(o) };
          if (o.kind === 'VaultStaticSecret' || o.kind === 'VaultDynamicSecret') {
            const synced = o.conditions.find(x => x.type === 'SecretSynced');
            if (synced?.status === 'True' && synced.lastTransitionTime)
              d.lastSync = synced.lastTransitionTime;
            if (o.kind === 'VaultDynamicSecret' && o.lastRenewalTime)
              d.lastSync = o.lastRenewalTime;
            const exists: Record<string, boolean> = { True: true, False: false };
            d.destinationExists = exists[synced?.status ?? ''] ?? null;
          }
          return d;
        };
        const secrets = [...pick('VaultStaticSecret'), ...pick('VaultDynamicSecret')];
        const auths = new Map<string, SlimVsoObject>();
        const add = (o: SlimVsoObject | undefined) => {
          if (o) auths.set(`${o.kind}/${o.namespace}/${o.name}`, o);
        };
        pick('VaultAuth').forEach(add);
        for (const s of secrets) {
          if (!s.vaultAuthRef) continue;
          const [ns, name] = s.vaultAuthRef.includes('/')
            ? s.vaultAuthRef.split('/')
            : [s.namespace, s.vaultAuthRef];
          add(c.vso.VaultAuth.items.get(key(ns, name)));
        }
        for (const a of [...auths.values()].filter(x => x.kind === 'VaultAuth')) {
          const global = a.vaultAuthGlobalRef
            ? c.vso.VaultAuthGlobal.items.get(key(a.vaultAuthGlobalRef.namespace, a.vaultAuthGlobalRef.name))
            : undefined;
          add(global);
          // A reference without a namespace is relative to the object that carries it.
          const holder = a.vaultConnectionRef ? a : global;
          const connection = holder?.vaultConnectionRef;
          if (holder && connection) {
            const [ns, name] = connection.includes('/')
              ? connection.split('/')
              : [holder.namespace, connection];
            add(c.vso.VaultConnection.items.get(key(ns, name)));
          }
        }
        return {
          ...clusterHeader(c.cache),
          secrets: secrets.map(describe),
          auths: [...auths.values()].map(describe),
          unavailable: unavailableResources(c.vso, VSO_RESOURCES),
        };
      }),
    };
  }
}

function unique<T extends { kind: string; namespace: string; name: string }>(list: T[]): T[] {
  const seen = new Set<string>();
  return list.filter(o => {
    const k = `${o.kind}/${o.namespace}/${o.name}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
