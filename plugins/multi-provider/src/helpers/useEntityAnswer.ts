import {
  CompoundEntityRef,
  Entity,
  getCompoundEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { useApi } from '@backstage/frontend-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import {
  LiveAnswer,
  entityLiveChannel,
} from '@cloudlab/plugin-multi-provider-common';
import { MultiProviderApi, multiProviderApiRef } from '../api';
import { useLiveAsync } from './useLiveAsync';

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
 * storage, GitOps, secrets); `retry` loads it again. With `live` the answer follows its signal
 * channels (see {@link useLiveAsync}): the entity's channel of that answer, or the channels a
 * function names for the answer shown.
 */
export function useEntityAnswer<T>(
  load: (api: MultiProviderApi, ref: CompoundEntityRef) => Promise<T>,
  live?: LiveAnswer | ((shown: T | undefined) => readonly string[]),
) {
  const { entity } = useEntity();
  const api = useApi(multiProviderApiRef);
  const ref = entityRouteRef(entity);
  const entityRef = stringifyEntityRef(entity);
  const state = useLiveAsync(
    () => load(api, ref),
    [api, ref.namespace, ref.kind, ref.name],
    typeof live === 'string'
      ? [entityLiveChannel(entityRef, live)]
      : live ?? [],
  );
  return { ...state, entity, ref };
}
