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
    /** The GitOps views. */
    gitops?: {
      /**
       * The optional write credential of "reconcile now" and suspend/resume. Without it the
       * actions answer 501. Never the read-only portal credential.
       */
      operator?: {
        clusters?: Array<{
          /** A cluster of `kubernetes.clusterLocatorMethods` (its URL and CA are used). */
          name: string;
          /**
           * Token of a ServiceAccount bound to ClusterRole `cloudlab-portal-flux-operator`
           * (only `patch` on the Flux kinds).
           * @visibility secret
           */
          serviceAccountToken: string;
        }>;
      };
    };
  };
}
