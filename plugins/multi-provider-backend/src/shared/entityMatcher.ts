import {
  KUBERNETES_ANNOTATION,
  KUBERNETES_LABEL_SELECTOR_QUERY_ANNOTATION,
} from '@backstage/plugin-kubernetes-common';
import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError, NotFoundError } from '@backstage/errors';
import { SlimPod } from '@cloudlab/plugin-multi-provider-common';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { EntityPodQuery, entityPodQuery } from './entityPods';

/**
 * Loads the entity and its pod query (index lookup + predicate): 404 when the catalog does not have it, 400 when it
 * names no pods (neither kubernetes-id nor label-selector annotation).
 */
export async function resolveEntityPods(
  catalog: CatalogService,
  ref: { kind: string; namespace: string; name: string },
  credentials: BackstageCredentials,
): Promise<{
  entity: Entity;
  query: EntityPodQuery;
  matches: (pod: SlimPod) => boolean;
}> {
  const entity = await catalog.getEntityByRef(ref, { credentials });
  if (!entity) {
    throw new NotFoundError(
      `Entity ${ref.kind}:${ref.namespace}/${ref.name} not found`,
    );
  }
  const query = entityPodQuery(entity);
  if (!query) {
    throw new InputError(
      `Entity ${stringifyEntityRef(
        entity,
      )} has neither a ${KUBERNETES_ANNOTATION} nor a ${KUBERNETES_LABEL_SELECTOR_QUERY_ANNOTATION} annotation`,
    );
  }
  return { entity, query, matches: query.matches };
}
