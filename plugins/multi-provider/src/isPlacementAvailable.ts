import type { Entity } from '@backstage/catalog-model';
import {
  KUBERNETES_ANNOTATION,
  KUBERNETES_LABEL_SELECTOR_QUERY_ANNOTATION,
} from '@backstage/plugin-kubernetes-common';

/**
 * Whether the entity names its pods (the kubernetes plugin's id or label-selector annotation, as
 * the backend matches them), so that the Placement tab has something to show.
 *
 * @public
 */
export function isPlacementAvailable(entity: Entity): boolean {
  const annotations = entity.metadata.annotations ?? {};
  return Boolean(
    annotations[KUBERNETES_ANNOTATION]?.trim() ||
      annotations[KUBERNETES_LABEL_SELECTOR_QUERY_ANNOTATION]?.trim(),
  );
}
