import { LoggerService } from '@backstage/backend-plugin-api';
import {
  FluxKind,
  KubeCustomObject,
  SlimFluxObject,
  SlimVsoObject,
  VsoKind,
  slimFluxObject,
  slimVsoObject,
} from '@cloudlab/plugin-multi-provider-common';
import { ClusterCache } from '../shared/ClusterCache';
import {
  CustomResource,
  DEFAULT_INFORMER_OPTIONS,
  InformerOptions,
  ResourceInformer,
} from '@cloudlab/plugin-multi-provider-node';

/** The Flux resources the GitOps views watch (API versions of Flux v2.9). */
export const FLUX_RESOURCES: Record<FluxKind, CustomResource> = {
  Kustomization: {
    group: 'kustomize.toolkit.fluxcd.io',
    version: 'v1',
    plural: 'kustomizations',
  },
  HelmRelease: {
    group: 'helm.toolkit.fluxcd.io',
    version: 'v2',
    plural: 'helmreleases',
  },
  GitRepository: {
    group: 'source.toolkit.fluxcd.io',
    version: 'v1',
    plural: 'gitrepositories',
  },
  HelmRepository: {
    group: 'source.toolkit.fluxcd.io',
    version: 'v1',
    plural: 'helmrepositories',
  },
  OCIRepository: {
    group: 'source.toolkit.fluxcd.io',
    version: 'v1',
    plural: 'ocirepositories',
  },
};

/** The Vault Secrets Operator resources the Secrets view watches (VSO v1.x). */
export const VSO_RESOURCES: Record<VsoKind, CustomResource> = Object.fromEntries(
  (
    [
      ['VaultAuth', 'vaultauths'],
      ['VaultAuthGlobal', 'vaultauthglobals'],
      ['VaultConnection', 'vaultconnections'],
      ['VaultStaticSecret', 'vaultstaticsecrets'],
      ['VaultDynamicSecret', 'vaultdynamicsecrets'],
    ] as const
  ).map(([kind, plural]) => [
    kind,
    { group: 'secrets.hashicorp.com', version: 'v1beta1', plural },
  ]),
) as Record<VsoKind, CustomResource>;

/** `plural.group`, as the API server names a resource. */
export const resourceName = (r: CustomResource) => `${r.plural}.${r.group}`;

/** The GitOps informers of one cluster, registered on its cache. */
export interface GitOpsInformers {
  cache: ClusterCache;
  flux: Record<FluxKind, ResourceInformer<KubeCustomObject, SlimFluxObject>>;
  vso: Record<VsoKind, ResourceInformer<KubeCustomObject, SlimVsoObject>>;
  /** Bumped on every change of a Flux or VSO informer (an object or a watch's state). */
  readonly version: { value: number };
}

/**
 * Registers list+watch informers for the Flux and VSO kinds on a cluster's cache (started and
 * stopped with it). A cluster without the CRDs keeps retrying with backoff and is reported per
 * resource; it does not change the cluster's own state.
 */
export function registerGitOpsInformers(
  cache: ClusterCache,
  logger: LoggerService,
  options: Partial<InformerOptions> = {},
): GitOpsInformers | undefined {
  const connect = cache.connection.customObjects?.bind(cache.connection);
  if (!connect) return undefined;
  const opts = { ...DEFAULT_INFORMER_OPTIONS, ...options };
  const log = logger.child({ cluster: cache.name });
  const version = { value: 0 };
  const changed = () => {
    version.value += 1;
    cache.markChanged();
  };
  const make = <K extends string, S>(
    resources: Record<K, CustomResource>,
    slim: (kind: K, obj: KubeCustomObject) => S,
  ) =>
    Object.fromEntries(
      (Object.entries(resources) as Array<[K, CustomResource]>).map(
        ([kind, r]) => [
          kind,
          cache.register(
            `gitops/${resourceName(r)}`,
            new ResourceInformer<KubeCustomObject, S>(
              `${cache.name} ${resourceName(r)}`,
              connect<KubeCustomObject>(r),
              obj => slim(kind, obj),
              opts,
              log,
              changed,
            ),
          ),
        ],
      ),
    ) as Record<K, ResourceInformer<KubeCustomObject, S>>;
  return {
    cache,
    flux: make(FLUX_RESOURCES, slimFluxObject),
    vso: make(VSO_RESOURCES, slimVsoObject),
    version,
  };
}

/** Resources of these informers the cluster cannot serve right now (CRD absent, forbidden…). */
export function unavailableResources(
  informers: Record<string, ResourceInformer<any, any>>,
  resources: Record<string, CustomResource>,
): Array<{ resource: string; error: string }> {
  return Object.entries(informers).flatMap(([kind, i]) =>
    !i.synced && i.lastError
      ? [{ resource: resourceName(resources[kind]), error: i.lastError }]
      : [],
  );
}
