import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import {
  ProviderRegistry,
  providerOfDriver,
} from '@cloudlab/plugin-multi-provider-common';
import { FluxCatalogOptions } from '../config';
import {
  FluxKind,
  FluxModel,
  FluxObjectId,
  KustomizationInfo,
  TreeOrigin,
} from '@cloudlab/plugin-multi-provider-node';
import {
  ANNOTATIONS,
  CLAIM_ANNOTATIONS,
  GENERATOR_NAME,
  fluxObjectKey,
  withOrigin,
} from './annotations';

/** System of a Flux Kustomization, by the cluster file that defines it (its layer). */
export const SYSTEM_BY_LAYER: Record<string, string> = {
  'flux-system': 'cloudlab-platform-services',
  infrastructure: 'cloudlab-infrastructure',
  platform: 'cloudlab-platform-services',
  observability: 'cloudlab-observability',
  apps: 'cloudlab-workloads',
};
export const PLATFORM_SYSTEM = 'cloudlab-platform';
export const INFRASTRUCTURE_SYSTEM = 'cloudlab-infrastructure';
/** Every generated entity's docs: the platform handbook. */
export const HANDBOOK = 'system:default/cloudlab-platform';
export const GRAFANA_DASHBOARD_UID = 'cloudlab-placement';

/** A Flux object the catalog must describe exactly once. */
export interface ReconciledObject extends FluxObjectId {
  kind: FluxKind;
  file: string;
  /** Ref of the entity generated for it (before the override rule). */
  entityRef: string;
}

/** One generated entity, merged over every cluster it appears in. */
interface Draft {
  kind: 'Component' | 'Resource';
  name: string;
  type: string;
  title?: string;
  description: string;
  system: string;
  clusters: Set<string>;
  claims: Map<FluxKind, Set<string>>;
  appliedBy: Set<string>;
  dependsOn: Set<string>;
  links: Map<string, string>;
  annotations: Record<string, string>;
  /**
   * Repository-relative file the entity comes from (first seen); none for a provider given
   * outside the tree (inline in app-config, or a registry folder elsewhere).
   */
  file?: string;
  /** Where the entity's content was read (the first Kustomization that yields it); unset: the root. */
  origin?: TreeOrigin;
}

/**
 * Where a Kustomization's content was read (`TreeSnapshots.snapshotOf(k).origin`), and the
 * root tree's origin for what is not read through a Kustomization (clusters, providers).
 */
export interface EntityOrigins {
  root: TreeOrigin;
  of(k: KustomizationInfo): TreeOrigin;
}

const entityRefOf = (kind: string, name: string) =>
  stringifyEntityRef({ kind, namespace: 'default', name });

/** The entity name of a chart source: `<kind>-<name>` so it never collides with a provider. */
export const sourceEntityName = (kind: string, name: string) =>
  `${kind.toLowerCase()}-${name}`;

/** What stands for a Flux Kustomization in the catalog: its HelmReleases and sources, else itself. */
export function representativesOf(k: KustomizationInfo): Array<{
  kind: FluxKind;
  id: FluxObjectId;
  file: string;
  entityRef: string;
}> {
  if (k.helmReleases.length === 0 && k.sources.length === 0) {
    return [
      {
        kind: 'Kustomization',
        id: k,
        file: k.file,
        entityRef: entityRefOf('Component', k.name),
      },
    ];
  }
  return [
    ...k.helmReleases.map(h => ({
      kind: 'HelmRelease' as const,
      id: h as FluxObjectId,
      file: h.file,
      entityRef: entityRefOf('Component', h.name),
    })),
    ...k.sources.map(s => ({
      kind: s.kind,
      id: s as FluxObjectId,
      file: s.file,
      entityRef: entityRefOf('Resource', sourceEntityName(s.kind, s.name)),
    })),
  ];
}

/** Every Flux object that must have exactly one catalog entity. */
export function reconciledObjects(model: FluxModel): ReconciledObject[] {
  return model.clusters.flatMap(c =>
    c.kustomizations.flatMap(k =>
      representativesOf(k).map(r => ({
        ...r.id,
        cluster: r.id.cluster,
        namespace: r.id.namespace,
        name: r.id.name,
        kind: r.kind,
        file: r.file,
        entityRef: r.entityRef,
      })),
    ),
  );
}

/**
 * Builds the generated entities: one per reconciled service (HelmRelease, or Flux Kustomization
 * without HelmReleases), chart source, StorageClass, cluster and registry provider. Entities of
 * the same name in several clusters merge into one carrying every cluster's Flux objects.
 * Deterministic: same input, same output (the delta relies on it). With `origins`, every entity
 * names the source and revision its content was read at: an entity of a Kustomization read from
 * another source (a tenant's repository) names that source.
 */
export function buildEntities(
  model: FluxModel,
  registry: ProviderRegistry,
  options: FluxCatalogOptions,
  /** Tree-relative registry file per provider name, for providers that have one. */
  providerFiles: ReadonlyMap<string, string> = new Map(),
  origins?: EntityOrigins,
): Entity[] {
  const drafts = new Map<string, Draft>();
  const blob = (file: string) =>
    `${options.repoUrl}/blob/${options.branch}/${file}`;
  const tree = (dir: string) =>
    `${options.repoUrl}/tree/${options.branch}/${dir}`;

  const draft = (
    kind: Draft['kind'],
    name: string,
    init: () => Omit<
      Draft,
      | 'kind'
      | 'name'
      | 'clusters'
      | 'claims'
      | 'appliedBy'
      | 'dependsOn'
      | 'links'
    > & {
      links?: Array<[string, string]>;
    },
  ): Draft => {
    const ref = entityRefOf(kind, name);
    let d = drafts.get(ref);
    if (!d) {
      const { links, ...rest } = init();
      d = {
        kind,
        name,
        clusters: new Set(),
        claims: new Map(),
        appliedBy: new Set(),
        dependsOn: new Set(),
        links: new Map(links ?? []),
        ...rest,
      };
      drafts.set(ref, d);
    }
    return d;
  };
  const claim = (d: Draft, kind: FluxKind, id: FluxObjectId) => {
    if (!d.claims.has(kind)) d.claims.set(kind, new Set());
    d.claims.get(kind)!.add(fluxObjectKey(id));
    d.clusters.add(id.cluster);
  };

  for (const cluster of model.clusters) {
    const byName = new Map(
      cluster.kustomizations.map(k => [`${k.namespace}/${k.name}`, k]),
    );
    for (const k of cluster.kustomizations) {
      const system = SYSTEM_BY_LAYER[k.layer] ?? PLATFORM_SYSTEM;
      const origin = origins?.of(k);
      const upstream = k.dependsOn.flatMap(dep => {
        const target = byName.get(`${dep.namespace}/${dep.name}`);
        // Chart sources are linked through each HelmRelease's sourceRef, not the layer chain.
        return target
          ? representativesOf(target)
              .filter(
                r => r.kind === 'Kustomization' || r.kind === 'HelmRelease',
              )
              .map(r => r.entityRef)
          : [];
      });
      const kLinks: Array<[string, string]> = [
        [tree(k.path), `GitOps path ${k.path}`],
        [blob(k.file), `Flux Kustomization ${k.name}`],
      ];
      const grafana = (namespace?: string): Array<[string, string]> =>
        options.grafanaUrl && namespace
          ? [
              [
                `${
                  options.grafanaUrl
                }/d/${GRAFANA_DASHBOARD_UID}?var-namespace=${encodeURIComponent(
                  namespace,
                )}`,
                'Grafana: placement dashboard',
              ],
            ]
          : [];

      if (k.helmReleases.length === 0 && k.sources.length === 0) {
        const namespaces = [
          ...new Set(k.workloads.map(w => w.namespace).filter(Boolean)),
        ] as string[];
        const selectors = [...new Set(k.workloads.map(w => w.selector))];
        const d = draft('Component', k.name, () => ({
          type: 'service',
          description: `Reconciled by Flux Kustomization ${k.name} from ${k.path}.`,
          system,
          file: k.file,
          origin,
          annotations: {
            [ANNOTATIONS.gitopsPath]: k.path,
            ...(selectors.length === 1
              ? { [ANNOTATIONS.kubernetesSelector]: selectors[0] }
              : {}),
            ...(selectors.length === 1 && namespaces.length === 1
              ? { [ANNOTATIONS.kubernetesNamespace]: namespaces[0] }
              : {}),
          },
          links: [
            ...kLinks,
            ...grafana(namespaces.length === 1 ? namespaces[0] : undefined),
          ],
        }));
        claim(d, 'Kustomization', k);
        d.appliedBy.add(fluxObjectKey(k));
        readProblems(d, k);
        upstream.forEach(u => d.dependsOn.add(u));
      }
      for (const h of k.helmReleases) {
        const d = draft('Component', h.name, () => ({
          type: 'service',
          description: `Helm chart ${h.chart ?? h.name}${
            h.version ? ` ${h.version}` : ''
          }, released by Flux HelmRelease ${h.namespace}/${h.name}.`,
          system,
          file: h.file,
          origin,
          annotations: {
            [ANNOTATIONS.gitopsPath]: k.path,
            [ANNOTATIONS.kubernetesSelector]: `app.kubernetes.io/instance=${h.releaseName}`,
            [ANNOTATIONS.kubernetesNamespace]: h.targetNamespace,
          },
          links: [
            [blob(h.file), `Flux HelmRelease ${h.name}`],
            ...kLinks,
            ...grafana(h.targetNamespace),
          ],
        }));
        claim(d, 'HelmRelease', h);
        d.appliedBy.add(fluxObjectKey(k));
        readProblems(d, k);
        upstream.forEach(u => d.dependsOn.add(u));
        for (const dep of h.dependsOn)
          d.dependsOn.add(entityRefOf('Component', dep.name));
        if (
          h.sourceRef &&
          (h.sourceRef.kind === 'HelmRepository' ||
            h.sourceRef.kind === 'OCIRepository')
        ) {
          d.dependsOn.add(
            entityRefOf(
              'Resource',
              sourceEntityName(h.sourceRef.kind, h.sourceRef.name),
            ),
          );
        }
      }
      for (const s of k.sources) {
        const d = draft('Resource', sourceEntityName(s.kind, s.name), () => ({
          type:
            s.kind === 'HelmRepository' ? 'helm-repository' : 'oci-repository',
          title: `${s.kind} ${s.name}`,
          description: `Flux chart source ${s.namespace}/${s.name}${
            s.url ? ` (${s.url})` : ''
          }.`,
          system: INFRASTRUCTURE_SYSTEM,
          file: s.file,
          origin,
          annotations: { [ANNOTATIONS.gitopsPath]: k.path },
          links: [
            [blob(s.file), `Flux ${s.kind} ${s.name}`],
            ...(s.url?.startsWith('https://')
              ? ([[s.url, 'Chart repository']] as Array<[string, string]>)
              : []),
          ],
        }));
        claim(d, s.kind, s);
        d.appliedBy.add(fluxObjectKey(k));
        readProblems(d, k);
      }
      for (const sc of k.storageClasses) {
        const provider =
          sc.providerLabel ?? providerOfDriver(registry, sc.provisioner)?.name;
        const d = draft('Resource', sc.name, () => ({
          type: 'storage-class',
          description: `StorageClass ${sc.name}${describeClass(sc)}.`,
          system: INFRASTRUCTURE_SYSTEM,
          file: sc.file,
          origin,
          annotations: provider
            ? { [ANNOTATIONS.provider]: provider }
            : ({} as Record<string, string>),
          links: [[blob(sc.file), `StorageClass ${sc.name}`]],
        }));
        d.clusters.add(cluster.name);
        d.appliedBy.add(fluxObjectKey(k));
        if (provider && registry.providers.some(p => p.name === provider)) {
          d.dependsOn.add(entityRefOf('Resource', provider));
        }
      }
    }
    const c = draft('Resource', cluster.name, () => ({
      type: 'kubernetes-cluster',
      description: `Kubernetes cluster ${cluster.name}, reconciled by Flux from ${cluster.dir}.`,
      system: PLATFORM_SYSTEM,
      file: cluster.dir,
      annotations: { [ANNOTATIONS.gitopsPath]: cluster.dir },
      links: [[tree(cluster.dir), `Flux tree of ${cluster.name}`]],
    }));
    c.clusters.add(cluster.name);
    registry.providers.forEach(p =>
      c.dependsOn.add(entityRefOf('Resource', p.name)),
    );
  }

  for (const p of registry.providers) {
    const eu = p.regions.filter(r => r.eu).map(r => r.name);
    draft('Resource', p.name, () => ({
      type: 'cloud-provider',
      title: p.displayName,
      description: `Cloud provider ${p.displayName}: EU regions ${
        eu.join(', ') || 'none'
      }${p.storage ? `; CSI driver ${p.storage.csiDriver}` : ''}.`,
      system: INFRASTRUCTURE_SYSTEM,
      file: providerFiles.get(p.name),
      annotations: { [ANNOTATIONS.provider]: p.name },
      links: providerFiles.has(p.name)
        ? [
            [
              blob(providerFiles.get(p.name)!),
              `Provider registry entry ${p.name}`,
            ],
          ]
        : [],
    }));
  }

  return [...drafts.values()]
    .sort((a, b) =>
      entityRefOf(a.kind, a.name).localeCompare(entityRefOf(b.kind, b.name)),
    )
    .map(d => {
      const entity = toEntity(d, options);
      const origin = d.origin ?? origins?.root;
      return origin ? withOrigin(entity, origin) : entity;
    });
}

function toEntity(d: Draft, options: FluxCatalogOptions): Entity {
  const clusters = [...d.clusters].sort();
  const location = d.file
    ? `url:${options.repoUrl}/blob/${options.branch}/${d.file}`
    : `url:${options.repoUrl}/tree/${options.branch}`;
  const claims = Object.fromEntries(
    [...d.claims.entries()].map(([kind, items]) => [
      CLAIM_ANNOTATIONS[kind],
      [...items].sort().join(','),
    ]),
  );
  const production = clusters.some(c => options.productionClusters.includes(c));
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: d.kind,
    metadata: {
      name: d.name,
      ...(d.title ? { title: d.title } : {}),
      description: d.description,
      annotations: {
        'backstage.io/managed-by-location': location,
        'backstage.io/managed-by-origin-location': location,
        [ANNOTATIONS.generatedBy]: GENERATOR_NAME,
        [ANNOTATIONS.techdocsEntity]: HANDBOOK,
        ...(clusters.length
          ? { [ANNOTATIONS.clusters]: clusters.join(',') }
          : {}),
        ...(d.appliedBy.size
          ? { [ANNOTATIONS.appliedBy]: [...d.appliedBy].sort().join(',') }
          : {}),
        ...claims,
        ...d.annotations,
      },
      links: [...d.links.entries()].map(([url, title]) => ({ url, title })),
    },
    spec: {
      type: d.type,
      lifecycle:
        production || clusters.length === 0 ? 'production' : 'experimental',
      owner: options.defaultOwner,
      system: d.system,
      ...(d.dependsOn.size ? { dependsOn: [...d.dependsOn].sort() } : {}),
    },
  };
}

/**
 * Puts what the reader could not follow, and the Secrets it did not read, on the entity of the
 * Kustomization's objects: the entity is still emitted with what could be read.
 */
function readProblems(d: Draft, k: KustomizationInfo): void {
  const add = (key: string, lines: string[]) => {
    if (lines.length === 0) return;
    const all = new Set([
      ...(d.annotations[key] ? d.annotations[key].split('\n') : []),
      ...lines,
    ]);
    d.annotations[key] = [...all].sort().join('\n');
  };
  add(ANNOTATIONS.readErrors, k.errors);
  add(
    ANNOTATIONS.unreadSecrets,
    k.unread.map(s => `${s.kind} ${s.namespace}/${s.name}`),
  );
}

function describeClass(sc: { provisioner?: string; reclaimPolicy?: string }) {
  const facts = [
    sc.provisioner,
    sc.reclaimPolicy && `reclaim ${sc.reclaimPolicy}`,
  ].filter(Boolean);
  return facts.length ? ` (${facts.join(', ')})` : '';
}
