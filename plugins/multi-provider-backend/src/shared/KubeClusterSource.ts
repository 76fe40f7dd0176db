import { KubeConfig } from '@kubernetes/client-node';
import { ClusterConfig, MultiProviderConfig } from '../config';
import { kubeStorageClients } from './kubeStorageClients';
import { kubeList, kubeWatch } from './kubeWatch';
import {
  ClusterConnection,
  ClusterSource,
  CustomResource,
  ListPage,
  ResourceClient,
} from '@cloudlab/plugin-multi-provider-node';

/** Watches time out server-side now and then; the cache re-watches from the last version. */
const WATCH_TIMEOUT_SECONDS = 300;

/**
 * A KubeConfig holding exactly one configured cluster and its token (nothing else).
 *
 * @alpha
 */
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

/**
 * List + watch of one resource path: pages as plain JSON (`kubeList`), the watch with our own
 * client (`kubeWatch`); the kubeconfig supplies the server, CA and token.
 */
export function resourceClient<T>(
  kc: KubeConfig,
  path: string,
): ResourceClient<T> {
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
 *
 * @alpha
 */
export function connectCluster(
  name: string,
  kc: KubeConfig,
): ClusterConnection {
  return {
    name,
    kubeConfig: kc,
    customObjects: <T>({ group, version, plural }: CustomResource) =>
      resourceClient<T>(kc, `/apis/${group}/${version}/${plural}`),
    nodes: resourceClient(kc, '/api/v1/nodes'),
    pods: resourceClient(kc, '/api/v1/pods'),
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
