import { Entity } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import {
  ENTITY_NAMESPACE_ANNOTATION,
  entityPodSelection,
  InvalidLabelSelectorError,
  LabelRequirement,
  labelRequirementsMatch,
  SlimPod,
} from '@cloudlab/plugin-multi-provider-common';

/**
 * The namespace annotation the kubernetes backend reads beside the id and label-selector ones
 * (defined once in `-common`).
 *
 * @alpha
 */
export const KUBERNETES_NAMESPACE_ANNOTATION = ENTITY_NAMESPACE_ANNOTATION;

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

/**
 * The entity's pods, selected as the kubernetes plugin does: the label selector annotation when
 * present, else the `backstage.io/kubernetes-id` label; optionally one namespace. `undefined`
 * when the entity has neither annotation.
 *
 * @alpha
 */
export function entityPodQuery(entity: Entity): EntityPodQuery | undefined {
  let selection: ReturnType<typeof entityPodSelection>;
  try {
    selection = entityPodSelection(entity.metadata.annotations);
  } catch (e) {
    // A malformed selector annotation is the caller's 400.
    if (e instanceof InvalidLabelSelectorError) throw new InputError(e.message);
    throw e;
  }
  return selection && podQuery(selection.namespace, selection.requirements);
}

/** The predicate of {@link entityPodQuery}. */
export function entityPodMatcher(
  entity: Entity,
): ((pod: SlimPod) => boolean) | undefined {
  return entityPodQuery(entity)?.matches;
}
