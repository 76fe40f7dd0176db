export interface Config {
  /** Configuration of the multi-provider plugin. Clusters come from `kubernetes.clusterLocatorMethods` (type config). */
  multiProvider?: {
    /** A kubeconfig file for local use; its current context becomes one more cluster. */
    kubeconfig?: string;
    /** Name of the kubeconfig cluster; defaults to the context name. */
    kubeconfigClusterName?: string;
    /** Directory of the provider registry (`providers/*.yaml`); defaults to `<repo root>/providers`. */
    registryDir?: string;
    /** Page size of the cache's list calls. Default 500. */
    pageSize?: number;
  };
}
