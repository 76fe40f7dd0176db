import {
  ResourceClient,
  WatchEvent,
} from '@cloudlab/plugin-multi-provider-node';

/**
 * A client that only lets objects matching `keep` through: lists drop the others, watch events
 * for them are dropped, and an object that stops matching arrives as DELETED so the cache
 * forgets it. Used for events, of which only the storage-related few are kept.
 */
export function filteredClient<T>(
  client: ResourceClient<T>,
  keep: (obj: T) => boolean,
): ResourceClient<T> {
  return {
    async list(options) {
      const page = await client.list(options);
      return { ...page, items: page.items.filter(keep) };
    },
    watch(resourceVersion, onEvent, onDone) {
      return client.watch(
        resourceVersion,
        (event: WatchEvent<T>) => {
          if (
            event.type === 'ADDED' ||
            event.type === 'MODIFIED' ||
            event.type === 'DELETED'
          ) {
            if (event.type === 'DELETED' || keep(event.object)) onEvent(event);
            else if (event.type === 'MODIFIED') {
              onEvent({ type: 'DELETED', object: event.object });
            } else if (event.type === 'ADDED') {
              // Still pass the version on, so a resumed watch starts after it.
              onEvent({
                type: 'BOOKMARK',
                object: {
                  metadata: {
                    resourceVersion: (
                      event.object as {
                        metadata?: { resourceVersion?: string };
                      }
                    ).metadata?.resourceVersion,
                  },
                },
              });
            }
            return;
          }
          onEvent(event);
        },
        onDone,
      );
    },
  };
}
