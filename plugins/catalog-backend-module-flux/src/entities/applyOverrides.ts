import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import {
  FluxObjectId,
  YamlDocumentCache,
} from '@cloudlab/plugin-multi-provider-node';
import { claimMatches, claimsOf } from './annotations';

/** A hand-written entity and the file it lives in. */
export interface HandWrittenEntity {
  entity: Entity;
  file: string;
}

/** Reads every entity document under the hand-written catalog directory. */
export async function readHandWritten(
  cache: YamlDocumentCache,
  catalogDir: string,
): Promise<HandWrittenEntity[]> {
  const out: HandWrittenEntity[] = [];
  for (const file of await cache.listYaml(catalogDir)) {
    out.push(...entitiesOf(file, await cache.read(file)));
  }
  return out;
}

function entitiesOf(file: string, docs: unknown[]): HandWrittenEntity[] {
  return docs.flatMap(doc => {
    const e = doc as Partial<Entity>;
    if (
      !e ||
      typeof e !== 'object' ||
      typeof e.kind !== 'string' ||
      typeof e.metadata?.name !== 'string'
    ) {
      return [];
    }
    return [{ entity: e as Entity, file }];
  });
}

const refOf = (e: Entity) => stringifyEntityRef(e);

/** Parses a generated claim value back into object ids (always `cluster/namespace/name`). */
function generatedClaims(e: Entity): Array<{ kind: string; id: FluxObjectId }> {
  return claimsOf(e.metadata.annotations).map(({ kind, item }) => {
    const [cluster, namespace, name] = item.split('/');
    return { kind, id: { cluster, namespace, name } };
  });
}

/** Result of the override rule. */
export interface OverrideResult {
  /** Generated entities that no hand-written entity replaces, refs rewritten. */
  entities: Entity[];
  /** Generated ref → the hand-written entity that replaces it. */
  replacedBy: Map<string, string>;
}

/**
 * The override rule: a hand-written entity replaces a generated one when it has the same entity
 * ref, or when it claims (annotation `cloudlab.dev/flux-*`) any Flux object the generated one
 * stands for. Replaced entities are not emitted, so nothing is duplicated; `dependsOn` of the
 * remaining entities is pointed at the replacing hand-written entity.
 */
export function applyOverrides(
  generated: Entity[],
  handWritten: Entity[],
): OverrideResult {
  const handRefs = new Map(handWritten.map(e => [refOf(e), refOf(e)]));
  const handClaims = handWritten.flatMap(e =>
    claimsOf(e.metadata.annotations).map(c => ({ ...c, ref: refOf(e) })),
  );
  const replacedBy = new Map<string, string>();
  for (const g of generated) {
    const ref = refOf(g);
    const same = handRefs.get(ref);
    if (same) {
      replacedBy.set(ref, same);
      continue;
    }
    const claimer = generatedClaims(g)
      .map(({ kind, id }) =>
        handClaims.find(h => h.kind === kind && claimMatches(h.item, id)),
      )
      .find(Boolean);
    if (claimer) replacedBy.set(ref, claimer.ref);
  }
  const rewrite = (r: string) => replacedBy.get(r) ?? r;
  const entities = generated
    .filter(g => !replacedBy.has(refOf(g)))
    .map(g => {
      const deps = (g.spec?.dependsOn as string[] | undefined) ?? undefined;
      if (!deps) return g;
      const rewritten = [...new Set(deps.map(rewrite))]
        .filter(r => r !== refOf(g))
        .sort();
      return { ...g, spec: { ...g.spec, dependsOn: rewritten } };
    });
  return { entities, replacedBy };
}
