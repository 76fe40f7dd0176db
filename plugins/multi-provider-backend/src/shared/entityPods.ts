import { Entity } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import {
  KUBERNETES_ANNOTATION,
  KUBERNETES_LABEL_SELECTOR_QUERY_ANNOTATION,
} from '@backstage/plugin-kubernetes-common';
import {
  InvalidLabelSelectorError,
  LabelRequirement,
  labelRequirementsMatch,
  parseLabelSelector,
  SlimPod,
} from '@cloudlab/plugin-multi-provider-common';

/**
 * The namespace annotation the kubernetes backend reads beside the id and label-selector ones
 * (`@backstage/plugin-kubernetes-common` exports those two, not this one); reused so one catalog
 * serves both plugins.
 *
 * @alpha
 */
export const KUBERNETES_NAMESPACE_ANNOTATION =
  'backstage.io/kubernetes-namespace';

/**
 * Which pods an entity owns: optional namespace plus label requirements (all must hold).
 *
 * @alpha
 */
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
      labelRequirementsMatch(requirements, pod.labels),
  };
}

/** The label selector annotation's requirements; a malformed one is the caller's 400. */
function parseSelectorAnnotation(selector: string): LabelRequirement[] {
  try {
    return parseLabelSelector(selector);
  } catch (e) {
    if (e instanceof InvalidLabelSelectorError) throw new InputError(e.message);
    throw e;
  }
}

/**
 * The entity's pods, selected as the kubernetes plugin does: the label selector annotation when
 * present, else the `backstage.io/kubernetes-id` label; optionally one namespace. `undefined`
 * when the entity has neither annotation.
 *
 * @alpha
 */
export function entityPodQuery(entity: Entity): EntityPodQuery | undefined {
  const annotations = entity.metadata.annotations ?? {};
  const selector = annotations[KUBERNETES_LABEL_SELECTOR_QUERY_ANNOTATION];
  const id = annotations[KUBERNETES_ANNOTATION];
  const namespace = annotations[KUBERNETES_NAMESPACE_ANNOTATION] || undefined;
  let requirements: LabelRequirement[];
  if (selector) requirements = parseSelectorAnnotation(selector);
  else if (id)
    requirements = [
      { key: KUBERNETES_ANNOTATION, operator: 'In', values: [id] },
    ];
  else return undefined;
  return podQuery(namespace, requirements);
}

/** The predicate of {@link entityPodQuery}. */
export function entityPodMatcher(
  entity: Entity,
): ((pod: SlimPod) => boolean) | undefined {
  return entityPodQuery(entity)?.matches;
}
