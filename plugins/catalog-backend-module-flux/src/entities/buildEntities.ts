import {
  ANNOTATION_LOCATION,
  ANNOTATION_ORIGIN_LOCATION,
  ANNOTATION_SOURCE_LOCATION,
  Entity,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import {
  ProviderRegistry,
  providerOfDriver,
} from '@cloudlab/plugin-multi-provider-common';
import { FluxCatalogOptions } from '../config';
import { HandWrittenEntity } from './applyOverrides';
import {
  FluxKind,
  FluxModel,
  FluxObjectId,
  KustomizationInfo,
  originFileLocation,
  originWebPage,
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
   * Where the entity comes from (first seen): the file (or, for a Kustomization's service, the
   * directory) in the source it was read from; none for a provider given outside the tree
   * (inline in app-config, or a registry folder elsewhere).
   */
  place?: Place;
}

/** A file or directory in the source it was read from; `origin` unset: the root tree. */
interface Place {
  origin?: TreeOrigin;
  path: string;
  directory?: boolean;
  /** The ArtifactGenerator view it was read through. */
  generator?: string;
}

/**
 * Where the files a Kustomization's objects were read from really are
 * (`TreeSnapshots.fileOrigin`: another source, or the source an ArtifactGenerator copied the
 * file from), and the root tree's origin for what is not read through a Kustomization
 * (clusters, providers, the Kustomizations' own definitions).
 */
export interface EntityOrigins {
  root: TreeOrigin;
  fileOf(
    k: KustomizationInfo,
    file: string,
  ): { origin: TreeOrigin; path: string; generator?: string };
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
  const at = placeIn(origins, options);
  /** A file of the root tree. */
  const rootFile = (path: string): Place => ({ path });
  /** A file a Kustomization's objects were read from, where it really is. */
  const fileOf = (k: KustomizationInfo, path: string): Place =>
    origins ? origins.fileOf(k, path) : { path };
  /**
   * A Kustomization's `spec.path`: in its source, or, in an ArtifactGenerator's view (which
   * copies files, not directories), the source of the first file copied there.
   */
  const pathOf = (k: KustomizationInfo): Place => {
    const copied = Object.keys(k.generatedBy?.copiedFrom ?? {})
      .sort()
      .find(f => k.path === '.' || f.startsWith(`${k.path}/`));
    if (copied) {
      const f = fileOf(k, copied);
      return {
        ...f,
        path: f.path.slice(0, f.path.lastIndexOf('/')) || '.',
        directory: true,
      };
    }
    return { ...fileOf(k, k.path), directory: true };
  };
  const blob = (p: Place) => at.page(p, 'blob');
  const tree = (p: Place) => at.page(p, 'tree');
  const link = (
    url: string | undefined,
    title: string,
  ): Array<[string, string]> => (url ? [[url, title]] : []);

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
        ...link(tree(pathOf(k)), `GitOps path ${k.path}`),
        ...link(blob(rootFile(k.file)), `Flux Kustomization ${k.name}`),
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
          place: pathOf(k),
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
          place: fileOf(k, h.file),
          annotations: {
            [ANNOTATIONS.gitopsPath]: k.path,
            [ANNOTATIONS.kubernetesSelector]: `app.kubernetes.io/instance=${h.releaseName}`,
            [ANNOTATIONS.kubernetesNamespace]: h.targetNamespace,
          },
          links: [
            ...link(blob(fileOf(k, h.file)), `Flux HelmRelease ${h.name}`),
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
          place: fileOf(k, s.file),
          annotations: { [ANNOTATIONS.gitopsPath]: k.path },
          links: [
            ...link(blob(fileOf(k, s.file)), `Flux ${s.kind} ${s.name}`),
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
          place: fileOf(k, sc.file),
          annotations: provider
            ? { [ANNOTATIONS.provider]: provider }
            : ({} as Record<string, string>),
          links: link(blob(fileOf(k, sc.file)), `StorageClass ${sc.name}`),
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
      place: { path: cluster.dir, directory: true },
      annotations: { [ANNOTATIONS.gitopsPath]: cluster.dir },
      links: link(
        tree({ path: cluster.dir, directory: true }),
        `Flux tree of ${cluster.name}`,
      ),
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
      ...(providerFiles.has(p.name)
        ? { place: rootFile(providerFiles.get(p.name)!) }
        : {}),
      annotations: { [ANNOTATIONS.provider]: p.name },
      links: providerFiles.has(p.name)
        ? link(
            blob(rootFile(providerFiles.get(p.name)!)),
            `Provider registry entry ${p.name}`,
          )
        : [],
    }));
  }

  return [...drafts.values()]
    .sort((a, b) =>
      entityRefOf(a.kind, a.name).localeCompare(entityRefOf(b.kind, b.name)),
    )
    .map(d => {
      const entity = toEntity(d, options, at.location(d.place));
      const origin = d.place?.origin ?? origins?.root;
      return origin ? withOrigin(entity, origin) : entity;
    });
}

/**
 * The hand-written entities as the provider emits them: located at their file in the tree and,
 * with `origins`, naming the tree's source and revision as generated entities do. `Location`s
 * are left out: their targets are the files read here, and the catalog following them would
 * ingest the same entities a second time, from wherever the location points.
 */
export function locateHandWritten(
  handWritten: HandWrittenEntity[],
  options: FluxCatalogOptions,
  origins?: EntityOrigins,
): Entity[] {
  const at = placeIn(origins, options);
  return handWritten
    .filter(h => h.entity.kind !== 'Location')
    .map(h => {
      const where = at.location({ path: h.file });
      const entity: Entity = {
        ...h.entity,
        metadata: {
          ...h.entity.metadata,
          // No source location of the provider's: one written by hand names the service's
          // code, and without one the catalog falls back to the file's location.
          annotations: {
            ...h.entity.metadata.annotations,
            [ANNOTATION_LOCATION]: where.location,
            [ANNOTATION_ORIGIN_LOCATION]: where.location,
          },
        },
      };
      return origins ? withOrigin(entity, origins.root) : entity;
    });
}

/**
 * Web pages and catalog locations of places: the root tree's through the configured `repoUrl`
 * and `branch` (the platform repository's web address), another source's through its own
 * address (`originFileLocation`).
 */
function placeIn(
  origins: EntityOrigins | undefined,
  options: FluxCatalogOptions,
) {
  const rootOptions = { repoUrl: options.repoUrl, branch: options.branch };
  // Without origins the tree is a folder: its revision is the configured branch.
  const root: TreeOrigin = origins?.root ?? {
    kind: 'local',
    location: '.',
    revision: options.branch,
  };
  const resolve = (p: Place) =>
    !p.origin || p.origin.location === root.location
      ? { origin: root, options: rootOptions }
      : { origin: p.origin, options: {} };
  return {
    page: (p: Place, page: 'blob' | 'tree') => {
      const r = resolve(p);
      return originWebPage(r.origin, p.path, page, r.options);
    },
    location: (p: Place | undefined): EntityLocation => {
      if (!p) {
        const repo = originWebPage(root, '.', 'tree', rootOptions);
        return { location: `url:${repo ?? options.repoUrl}` };
      }
      const r = resolve(p);
      const found = originFileLocation(r.origin, p.path, {
        ...r.options,
        ...(p.directory ? { directory: true } : {}),
      });
      return { ...found, ...(p.generator ? { generator: p.generator } : {}) };
    },
  };
}

interface EntityLocation {
  location: string;
  sourceLocation?: string;
  generator?: string;
}

function toEntity(
  d: Draft,
  options: FluxCatalogOptions,
  where: EntityLocation,
): Entity {
  const clusters = [...d.clusters].sort();
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
        [ANNOTATION_LOCATION]: where.location,
        [ANNOTATION_ORIGIN_LOCATION]: where.location,
        ...(where.sourceLocation
          ? { [ANNOTATION_SOURCE_LOCATION]: where.sourceLocation }
          : {}),
        ...(where.generator
          ? { [ANNOTATIONS.gitopsGenerator]: where.generator }
          : {}),
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
