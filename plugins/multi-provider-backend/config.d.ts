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
    /** The storage views. */
    storage?: {
      /** Flux repository directory the desired-state view renders, relative to the repo root. Default `gitops`. */
      gitopsDir?: string;
      /** Cluster tree (`<gitopsDir>/clusters/<name>`) shown by default. Default `lab`. */
      desiredCluster?: string;
      /**
       * Render command, the directory is appended. Default: `.cache/lab/bin/kustomize build` when
       * that binary exists, else `kubectl kustomize`.
       */
      kustomizeCommand?: string[];
      /** Seconds a rendering of the desired state is reused. Default 60. */
      desiredRefreshSeconds?: number;
    };
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
