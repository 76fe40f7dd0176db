import { KubeConfig } from '@kubernetes/client-node';
import { ClusterConfig, MultiProviderConfig } from '../config';
import { kubeStorageClients } from './kubeStorageClients';
import {
  ClusterConnection,
  ClusterSource,
  CustomResource,
  kubeResourceClient,
} from '@cloudlab/plugin-multi-provider-node';

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
        caFile: cluster.caFile,
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
 * Connects to one cluster with `@kubernetes/client-node`: nodes, pods, storage objects and the
 * custom resources asked for (list/watch only), never secrets. Watches ask for a server-side
 * timeout that fits the informers' idle deadline (`timing.idleDeadlineMs`, default
 * `DEFAULT_INFORMER_OPTIONS`).
 *
 * @alpha
 */
export function connectCluster(
  name: string,
  kc: KubeConfig,
  timing: { idleDeadlineMs?: number } = {},
): ClusterConnection {
  const client = <T>(path: string) => kubeResourceClient<T>(kc, path, timing);
  return {
    name,
    kubeConfig: kc,
    customObjects: <T>({ group, version, plural }: CustomResource) =>
      client<T>(`/apis/${group}/${version}/${plural}`),
    nodes: client('/api/v1/nodes'),
    pods: client('/api/v1/pods'),
    storage: kubeStorageClients(client),
  };
}

/** Clusters from configuration (kubernetes plugin shape) plus an optional kubeconfig file. */
export class KubeClusterSource implements ClusterSource {
  private readonly connections: ClusterConnection[];

  constructor(config: MultiProviderConfig) {
    this.connections = config.clusters.map(c =>
      connectCluster(c.name, kubeConfigFor(c), config.cache),
    );
    if (config.kubeconfig) {
      const kc = new KubeConfig();
      kc.loadFromFile(config.kubeconfig.path);
      const name =
        config.kubeconfig.clusterName ?? kc.getCurrentContext() ?? 'kubeconfig';
      if (!this.connections.some(c => c.name === name)) {
        this.connections.push(connectCluster(name, kc, config.cache));
      }
    }
  }

  getClusters(): ClusterConnection[] {
    return this.connections;
  }
}
