import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { claimMatches, claimsOf, ANNOTATIONS } from '../entities/annotations';
import { reconciledObjects } from '../entities/buildEntities';
import { CatalogSnapshot } from '../provider/readSnapshot';

/** Kinds that must name an owner and docs. */
const OWNED_KINDS = new Set([
  'Component',
  'Resource',
  'System',
  'Domain',
  'API',
]);

/**
 * The catalog check over one snapshot: returns one line per problem (empty = healthy).
 * - every Flux-reconciled object has exactly one catalog entity (hand-written or generated);
 * - every claim (`cloudlab.dev/flux-*`) points at an existing Flux object;
 * - a hand-written entity that replaces a generated one keeps its `dependsOn` (Flux's chain);
 * - every owned entity has an owner and docs (techdocs-ref or techdocs-entity);
 * - no entity ref is declared twice; every file read cleanly.
 * `extra` are hand-written entities outside `catalogDir` (e.g. the root catalog-info.yaml).
 */
export function checkCatalog(
  snapshot: CatalogSnapshot,
  extra: Array<{ entity: Entity; file: string }> = [],
): string[] {
  const problems: string[] = [];
  const hand = [...snapshot.handWritten, ...extra];
  const all = [
    ...hand.map(h => ({ entity: h.entity, origin: h.file })),
    ...snapshot.entities.map(e => ({ entity: e, origin: 'generated' })),
  ];

  for (const err of snapshot.errors)
    problems.push(`${err.file}: ${err.reason}`);

  const seen = new Map<string, string>();
  for (const { entity, origin } of all) {
    const ref = stringifyEntityRef(entity);
    const before = seen.get(ref);
    if (before)
      problems.push(`${ref} is declared twice (${before}, ${origin})`);
    else seen.set(ref, origin);
  }

  for (const o of reconciledObjects(snapshot.model)) {
    const owners = all.filter(({ entity }) =>
      claimsOf(entity.metadata.annotations).some(
        c => c.kind === o.kind && claimMatches(c.item, o),
      ),
    );
    const id = `${o.kind} ${o.cluster}/${o.namespace}/${o.name} (${o.file})`;
    if (owners.length === 0) problems.push(`${id} has no catalog entity`);
    if (owners.length > 1) {
      problems.push(
        `${id} has ${owners.length} catalog entities: ${owners
          .map(x => stringifyEntityRef(x.entity))
          .join(', ')}`,
      );
    }
  }

  const objects = reconciledObjects(snapshot.model);
  for (const { entity, origin } of all) {
    const ref = stringifyEntityRef(entity);
    for (const c of claimsOf(entity.metadata.annotations)) {
      if (!objects.some(o => o.kind === c.kind && claimMatches(c.item, o))) {
        problems.push(
          `${ref} (${origin}) claims ${c.kind} ${c.item}, which no cluster in gitops/ reconciles`,
        );
      }
    }
    if (!OWNED_KINDS.has(entity.kind)) continue;
    if (typeof entity.spec?.owner !== 'string' || !entity.spec.owner) {
      problems.push(`${ref} (${origin}) has no owner`);
    }
    const a = entity.metadata.annotations ?? {};
    if (!a[ANNOTATIONS.techdocsRef] && !a[ANNOTATIONS.techdocsEntity]) {
      problems.push(
        `${ref} (${origin}) has no docs (${ANNOTATIONS.techdocsRef} or ${ANNOTATIONS.techdocsEntity})`,
      );
    }
  }

  // A replacing entity must keep the Flux dependsOn chain the generated one carried.
  const rewrite = (r: string) => snapshot.replacedBy.get(r) ?? r;
  for (const g of snapshot.generated) {
    const gRef = stringifyEntityRef(g);
    const by = snapshot.replacedBy.get(gRef);
    if (!by) continue;
    const h = hand.find(x => stringifyEntityRef(x.entity) === by);
    const has = new Set(
      ((h?.entity.spec?.dependsOn as string[]) ?? []).map(r => normalizeRef(r)),
    );
    for (const dep of (g.spec?.dependsOn as string[]) ?? []) {
      const want = rewrite(dep);
      if (want !== by && !has.has(want)) {
        problems.push(
          `${by} (${h?.file}) replaces generated ${gRef} but misses dependsOn ${want} (from Flux)`,
        );
      }
    }
  }
  return problems;
}

function normalizeRef(ref: string): string {
  const [kind, rest] = ref.includes(':')
    ? ref.split(':', 2)
    : ['component', ref];
  const full = rest.includes('/') ? rest : `default/${rest}`;
  return `${kind.toLowerCase()}:${full}`;
}
