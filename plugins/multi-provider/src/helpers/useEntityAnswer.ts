import {
  CompoundEntityRef,
  Entity,
  getCompoundEntityRef,
} from '@backstage/catalog-model';
import { useApi } from '@backstage/frontend-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { MultiProviderApi, multiProviderApiRef } from '../api';

/**
 * The entity's reference as the backend routes take it: the kind in lower case, as in
 * `stringifyEntityRef`, so there is one URL per entity whatever the spelling.
 */
export function entityRouteRef(entity: Entity): CompoundEntityRef {
  const { kind, namespace, name } = getCompoundEntityRef(entity);
  return { kind: kind.toLocaleLowerCase('en-US'), namespace, name };
}

/**
 * Loads one of the current entity's answers from the multi-provider backend (placement,
 * storage, GitOps, secrets); `retry` loads it again.
 */
export function useEntityAnswer<T>(
  load: (api: MultiProviderApi, ref: CompoundEntityRef) => Promise<T>,
) {
  const { entity } = useEntity();
  const api = useApi(multiProviderApiRef);
  const ref = entityRouteRef(entity);
  const state = useAsyncRetry(
    () => load(api, ref),
    [api, ref.namespace, ref.kind, ref.name],
  );
  return { ...state, entity, ref };
}
