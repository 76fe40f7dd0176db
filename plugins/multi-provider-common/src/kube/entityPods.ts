import {
  KUBERNETES_ANNOTATION,
  KUBERNETES_LABEL_SELECTOR_QUERY_ANNOTATION,
} from '@backstage/plugin-kubernetes-common';
import { LabelRequirement, parseLabelSelector } from './labelSelector';

/**
 * The namespace annotation the kubernetes backend reads beside the id and label-selector ones
 * (`@backstage/plugin-kubernetes-common` exports those two, not this one); reused so one catalog
 * serves both plugins.
 *
 * @public
 */
export const ENTITY_NAMESPACE_ANNOTATION = 'backstage.io/kubernetes-namespace';

/**
 * Which pods an entity names, as the kubernetes plugin selects them: the label-selector
 * annotation when present, else the `backstage.io/kubernetes-id` label; optionally one
 * namespace. `undefined` when the entity has neither annotation. A malformed selector throws
 * {@link InvalidLabelSelectorError} (the caller decides what that means for its answer).
 *
 * @public
 */
export function entityPodSelection(
  annotations: Record<string, string> | undefined,
): { namespace?: string; requirements: LabelRequirement[] } | undefined {
  const selector = annotations?.[KUBERNETES_LABEL_SELECTOR_QUERY_ANNOTATION];
  const id = annotations?.[KUBERNETES_ANNOTATION];
  const namespace = annotations?.[ENTITY_NAMESPACE_ANNOTATION] || undefined;
  if (selector)
    return { namespace, requirements: parseLabelSelector(selector) };
  if (id)
    return {
      namespace,
      requirements: [
        { key: KUBERNETES_ANNOTATION, operator: 'In', values: [id] },
      ],
    };
  return undefined;
}
