import type { Entity } from '@backstage/catalog-model';

/** The annotations the kubernetes plugin and the multi-provider backend match pods by. */
export const KUBERNETES_ID_ANNOTATION = 'backstage.io/kubernetes-id';
/** A label selector (`app=pihole,tier=dns`) matching the entity's pods. */
export const KUBERNETES_LABEL_SELECTOR_ANNOTATION =
  'backstage.io/kubernetes-label-selector';

/**
 * Whether the entity names its pods, so that the Placement tab has something to show.
 *
 * @public
 */
export function isPlacementAvailable(entity: Entity): boolean {
  const annotations = entity.metadata.annotations ?? {};
  return Boolean(
    annotations[KUBERNETES_ID_ANNOTATION]?.trim() ||
      annotations[KUBERNETES_LABEL_SELECTOR_ANNOTATION]?.trim(),
  );
}
