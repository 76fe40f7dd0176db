import {
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
} from '@kubernetes/client-node';
import { ClusterConfig, MultiProviderConfig } from '../config';
import { kubeStorageClients } from './kubeStorageClients';
import { kubeWatch } from './kubeWatch';
import {
  ClusterConnection,
  ClusterSource,
  CustomResource,
  ListPage,
  ResourceClient,
} from './types';

/** Watches time out server-side now and then; the cache re-watches from the last version. */
const WATCH_TIMEOUT_SECONDS = 300;

/** A KubeConfig holding exactly one configured cluster and its token (nothing else). */
export function kubeConfigFor(cluster: ClusterConfig): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [
      {
        name: cluster.name,
        server: cluster.url,
        caData: cluster.caData,
        skipTLSVerify: cluster.skipTLSVerify,
      },
    ],
    users: [{ name: 'multi-provider', token: cluster.serviceAccountToken }],
    contexts: [
      { name: cluster.name, cluster: cluster.name, user: 'multi-provider' },
    ],
    currentContext: cluster.name,
  });
  return kc;
}

/** List + watch of one resource path with `@kubernetes/client-node`. */
export function resourceClient<T>(
  kc: KubeConfig,
  path: string,
  list: (
    limit: number,
    cont?: string,
  ) => Promise<{
    items: T[];
    metadata?: { resourceVersion?: string; _continue?: string };
  }>,
): ResourceClient<T> {
  return {
    async list({ limit, continueToken }): Promise<ListPage<T>> {
      const res = await list(limit, continueToken);
      return {
        items: res.items,
        resourceVersion: res.metadata?.resourceVersion ?? '',
        continueToken: res.metadata?._continue || undefined,
      };
    },
    watch(resourceVersion, onEvent, onDone) {
      return kubeWatch<T>(
        kc,
        path,
        {
          resourceVersion,
          allowWatchBookmarks: 'true',
          timeoutSeconds: String(WATCH_TIMEOUT_SECONDS),
        },
        onEvent,
        onDone,
      );
    },
  };
}

/**
 * Connects to one cluster with `@kubernetes/client-node`: nodes, pods, storage objects and the
 * custom resources asked for (list/watch only), never secrets.
 */
export function connectCluster(
  name: string,
  kc: KubeConfig,
): ClusterConnection {
  const core = kc.makeApiClient(CoreV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  return {
    name,
    customObjects: <T>({ group, version, plural }: CustomResource) =>
      resourceClient<T>(
        kc,
        `/apis/${group}/${version}/${plural}`,
        (limit, cont) =>
          custom.listClusterCustomObject({
            group,
            version,
            plural,
            limit,
            _continue: cont,
          }) as Promise<{
            items: T[];
            metadata?: { resourceVersion?: string; _continue?: string };
          }>,
      ),
    nodes: resourceClient(kc, '/api/v1/nodes', (limit, cont) =>
      core.listNode({ limit, _continue: cont }),
    ),
    pods: resourceClient(kc, '/api/v1/pods', (limit, cont) =>
      core.listPodForAllNamespaces({ limit, _continue: cont }),
    ),
    storage: kubeStorageClients(kc),
  };
}

/** Clusters from configuration (kubernetes plugin shape) plus an optional kubeconfig file. */
export class KubeClusterSource implements ClusterSource {
  private readonly connections: ClusterConnection[];

  constructor(config: MultiProviderConfig) {
    this.connections = config.clusters.map(c =>
      connectCluster(c.name, kubeConfigFor(c)),
    );
    if (config.kubeconfig) {
      const kc = new KubeConfig();
      kc.loadFromFile(config.kubeconfig.path);
      const name =
        config.kubeconfig.clusterName ?? kc.getCurrentContext() ?? 'kubeconfig';
      if (!this.connections.some(c => c.name === name)) {
        this.connections.push(connectCluster(name, kc));
      }
    }
  }

  getClusters(): ClusterConnection[] {
    return this.connections;
  }
}
