import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { TreeOrigin } from '@cloudlab/plugin-multi-provider-node';
import { z } from 'zod';
import { ANNOTATIONS } from '../entities/annotations';
import { CatalogSnapshot } from '../provider/readSnapshot';

const fluxObjectSchema = z.object({
  kind: z.string(),
  namespace: z.string(),
  name: z.string(),
  /** Tree-relative file defining it. */
  file: z.string(),
});

const previewEntitySchema = z.object({
  kind: z.string(),
  namespace: z.string(),
  name: z.string(),
  /** `backstage.io/kubernetes-id`, when the entity has one. */
  kubernetesId: z.string().optional(),
  /** `backstage.io/kubernetes-label-selector`, when the entity has one. */
  labelSelector: z.string().optional(),
  /** `backstage.io/kubernetes-namespace`: where its live objects are looked up. */
  kubernetesNamespace: z.string().optional(),
  /** The revision of the tree it was read at. */
  revision: z.string(),
  /** The hand-written entity that replaces it (the override rule): then it is not emitted. */
  replacedBy: z.string().optional(),
});

/**
 * What `yarn cloudlab catalog preview --json` prints: the tree read, per cluster the Flux
 * objects followed and the entities the catalog module would emit, entities that belong to no
 * cluster (providers, StorageClass-only resources), and every error with its file.
 */
export const catalogPreviewSchema = z.object({
  tree: z.object({
    kind: z.enum(['local', 'url', 'flux']),
    location: z.string(),
    revision: z.string(),
  }),
  fluxPath: z.string(),
  clusters: z.array(
    z.object({
      name: z.string(),
      /** Tree-relative folder of the cluster. */
      dir: z.string(),
      followed: z.array(fluxObjectSchema),
      entities: z.array(previewEntitySchema),
    }),
  ),
  /** Entities that name no cluster. */
  otherEntities: z.array(previewEntitySchema),
  errors: z.array(z.object({ file: z.string(), reason: z.string() })),
});

/** The preview, as printed with `--json`. */
export type CatalogPreview = z.infer<typeof catalogPreviewSchema>;

function previewEntity(
  e: Entity,
  revision: string,
  replacedBy: ReadonlyMap<string, string>,
): z.infer<typeof previewEntitySchema> {
  const a = e.metadata.annotations ?? {};
  const replacement = replacedBy.get(stringifyEntityRef(e));
  return {
    kind: e.kind,
    namespace: e.metadata.namespace ?? 'default',
    name: e.metadata.name,
    ...(a[ANNOTATIONS.kubernetesId]
      ? { kubernetesId: a[ANNOTATIONS.kubernetesId] }
      : {}),
    ...(a[ANNOTATIONS.kubernetesSelector]
      ? { labelSelector: a[ANNOTATIONS.kubernetesSelector] }
      : {}),
    ...(a[ANNOTATIONS.kubernetesNamespace]
      ? { kubernetesNamespace: a[ANNOTATIONS.kubernetesNamespace] }
      : {}),
    revision,
    ...(replacement ? { replacedBy: replacement } : {}),
  };
}

const clustersOf = (e: Entity) =>
  (e.metadata.annotations?.[ANNOTATIONS.clusters] ?? '')
    .split(',')
    .map(s => s.trim())
    .filter(Boolean);

/** The preview of one catalog snapshot read from `origin`. */
export function catalogPreview(
  snapshot: CatalogSnapshot,
  origin: TreeOrigin,
  fluxPath: string,
): CatalogPreview {
  // Every generated entity, the replaced ones marked: a preview shows what the override rule did.
  const entities = snapshot.generated;
  const show = (e: Entity) =>
    previewEntity(e, origin.revision, snapshot.replacedBy);
  return {
    tree: origin,
    fluxPath,
    clusters: snapshot.model.clusters.map(c => ({
      name: c.name,
      dir: c.dir,
      followed: c.kustomizations.flatMap(k => [
        { kind: k.kind, namespace: k.namespace, name: k.name, file: k.file },
        ...[...k.helmReleases, ...k.sources].map(o => ({
          kind: o.kind,
          namespace: o.namespace,
          name: o.name,
          file: o.file,
        })),
      ]),
      entities: entities.filter(e => clustersOf(e).includes(c.name)).map(show),
    })),
    otherEntities: entities.filter(e => clustersOf(e).length === 0).map(show),
    errors: snapshot.errors,
  };
}

function entityLine(e: z.infer<typeof previewEntitySchema>): string {
  const where = [
    e.kubernetesNamespace && `namespace=${e.kubernetesNamespace}`,
    e.kubernetesId && `kubernetes-id=${e.kubernetesId}`,
    e.labelSelector && `selector=${e.labelSelector}`,
  ].filter(Boolean);
  return `    ${e.kind} ${e.namespace}/${e.name}${
    where.length ? `  ${where.join(' ')}` : ''
  }  @${e.revision}${e.replacedBy ? `  (replaced by ${e.replacedBy})` : ''}`;
}

/** The preview for a person: one block per cluster, then the errors. */
export function formatCatalogPreview(p: CatalogPreview): string {
  const lines = [
    `Tree: ${p.tree.kind} ${p.tree.location} at ${p.tree.revision} (Flux path ${p.fluxPath})`,
  ];
  if (p.clusters.length === 0) {
    lines.push(`No cluster found under ${p.fluxPath}/clusters`);
  }
  for (const c of p.clusters) {
    lines.push('', `Cluster ${c.name} (${c.dir})`);
    lines.push(`  Flux objects followed (${c.followed.length}):`);
    for (const o of c.followed) {
      lines.push(`    ${o.kind} ${o.namespace}/${o.name}  ${o.file}`);
    }
    lines.push(`  Entities (${c.entities.length}):`);
    lines.push(...c.entities.map(entityLine));
  }
  if (p.otherEntities.length) {
    lines.push('', `Entities of no cluster (${p.otherEntities.length}):`);
    lines.push(...p.otherEntities.map(entityLine));
  }
  lines.push('', `Errors (${p.errors.length}):`);
  for (const e of p.errors) lines.push(`  ${e.file}: ${e.reason}`);
  return `${lines.join('\n')}\n`;
}
