import { KubeConfig } from '@kubernetes/client-node';
import { ListPage, ResourceClient } from '../extensions/clusterSource';
import { kubeList, kubeWatch } from './kubeWatch';
import {
  DEFAULT_INFORMER_OPTIONS,
  watchTimeoutSeconds,
} from './ResourceInformer';

/**
 * List + watch of one resource path of the kubeconfig's current cluster: pages as plain JSON,
 * the watch with the suite's own client, which asks for bookmarks and a server-side timeout of
 * `watchTimeoutSeconds(idleDeadlineMs)` (see {@link watchTimeoutSeconds}). The kubeconfig
 * supplies the server, CA and token.
 *
 * @public
 */
export function kubeResourceClient<T>(
  kc: KubeConfig,
  path: string,
  options: { idleDeadlineMs?: number } = {},
): ResourceClient<T> {
  const timeoutSeconds = watchTimeoutSeconds(
    options.idleDeadlineMs ?? DEFAULT_INFORMER_OPTIONS.idleDeadlineMs,
  );
  return {
    async list({ limit, continueToken }): Promise<ListPage<T>> {
      const res = await kubeList<T>(kc, path, {
        limit: String(limit),
        ...(continueToken ? { continue: continueToken } : {}),
      });
      return {
        items: res.items,
        resourceVersion: res.metadata?.resourceVersion ?? '',
        continueToken: res.metadata?.continue || undefined,
      };
    },
    watch(resourceVersion, onEvent, onDone) {
      return kubeWatch<T>(
        kc,
        path,
        {
          resourceVersion,
          allowWatchBookmarks: 'true',
          timeoutSeconds: String(timeoutSeconds),
        },
        onEvent,
        onDone,
      );
    },
  };
}
