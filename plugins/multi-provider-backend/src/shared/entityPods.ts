import { Entity } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import {
  KUBERNETES_ANNOTATION,
  KUBERNETES_LABEL_SELECTOR_QUERY_ANNOTATION,
} from '@backstage/plugin-kubernetes-common';
import { SlimPod } from '@internal/plugin-multi-provider-common';

/**
 * The namespace annotation the kubernetes backend reads beside the id and label-selector ones
 * (`@backstage/plugin-kubernetes-common` exports those two, not this one); reused so one catalog
 * serves both plugins.
 */
export const KUBERNETES_NAMESPACE_ANNOTATION =
  'backstage.io/kubernetes-namespace';

/**
 * One requirement of a label selector. `key=v` is `in [v]`, `key!=v` is `notin [v]`; as in
 * Kubernetes, `notin` and `!=` also match pods without the key.
 */
export type LabelRequirement =
  | { key: string; op: 'in' | 'notin'; values: string[] }
  | { key: string; op: 'exists' | 'absent' };

/** Whether labels satisfy one requirement. */
export function requirementMatches(
  r: LabelRequirement,
  labels: Record<string, string>,
): boolean {
  switch (r.op) {
    case 'in':
      return r.key in labels && r.values.includes(labels[r.key]);
    case 'notin':
      return !(r.key in labels) || !r.values.includes(labels[r.key]);
    case 'exists':
      return r.key in labels;
    default:
      return !(r.key in labels);
  }
}

/** Parses a Kubernetes label selector string (`a=b,c!=d,e in (x,y),!f,g`). */
export function parseLabelSelector(selector: string): LabelRequirement[] {
  const parts = selector.match(/([^,(]+(\([^)]*\))?)/g) ?? [];
  return parts
    .map(p => p.trim())
    .filter(Boolean)
    .map((part): LabelRequirement => {
      let m = /^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(part);
      if (m) {
        const [, key, op, list] = m;
        const values = list.split(',').map(v => v.trim());
        return { key, op: op as 'in' | 'notin', values };
      }
      m = /^([\w./-]+)\s*(==|=|!=)\s*([\w./-]*)$/.exec(part);
      if (m) {
        const [, key, op, value] = m;
        return { key, op: op === '!=' ? 'notin' : 'in', values: [value] };
      }
      m = /^(!?)([\w./-]+)$/.exec(part);
      if (m) {
        const [, not, key] = m;
        return { key, op: not ? 'absent' : 'exists' };
      }
      throw new InputError(`Invalid label selector "${selector}" at "${part}"`);
    });
}

/** Which pods an entity owns: optional namespace plus label requirements (all must hold). */
export interface EntityPodQuery {
  namespace?: string;
  requirements: LabelRequirement[];
  /** The full predicate; index lookups only narrow the candidates. */
  matches(pod: SlimPod): boolean;
}

/** What identifies a pod query: its namespace and requirements. */
export function querySignature(query: EntityPodQuery): string {
  return JSON.stringify([query.namespace ?? null, query.requirements]);
}

/** A query for the pods in `namespace` (any when undefined) satisfying every requirement. */
export function podQuery(
  namespace: string | undefined,
  requirements: LabelRequirement[],
): EntityPodQuery {
  return {
    namespace,
    requirements,
    matches: pod =>
      (!namespace || pod.namespace === namespace) &&
      requirements.every(r => requirementMatches(r, pod.labels ?? {})),
  };
}

/**
 * The entity's pods, selected as the kubernetes plugin does: the label selector annotation when
 * present, else the `backstage.io/kubernetes-id` label; optionally one namespace. `undefined`
 * when the entity has neither annotation.
 */
export function entityPodQuery(entity: Entity): EntityPodQuery | undefined {
  const annotations = entity.metadata.annotations ?? {};
  const selector = annotations[KUBERNETES_LABEL_SELECTOR_QUERY_ANNOTATION];
  const id = annotations[KUBERNETES_ANNOTATION];
  const namespace = annotations[KUBERNETES_NAMESPACE_ANNOTATION] || undefined;
  let requirements: LabelRequirement[];
  if (selector) requirements = parseLabelSelector(selector);
  else if (id)
    requirements = [{ key: KUBERNETES_ANNOTATION, op: 'in', values: [id] }];
  else return undefined;
  return podQuery(namespace, requirements);
}

/** The predicate of {@link entityPodQuery}. */
export function entityPodMatcher(
  entity: Entity,
): ((pod: SlimPod) => boolean) | undefined {
  return entityPodQuery(entity)?.matches;
}
