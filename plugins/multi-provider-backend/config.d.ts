export interface Config {
  /** Configuration of the multi-provider plugin. Clusters come from `kubernetes.clusterLocatorMethods` (type config). */
  multiProvider?: {
    /** A kubeconfig file for local use; its current context becomes one more cluster. */
    kubeconfig?: string;
    /** Name of the kubeconfig cluster; defaults to the context name. */
    kubeconfigClusterName?: string;
    /** Directory of the provider registry (`providers/*.yaml`); defaults to `<repo root>/providers`. */
    registryDir?: string;
    /** Page size of the cache's list calls (1–10000). Default 500. */
    pageSize?: number;
    /**
     * Timing of the cache's list + watch loops (every cluster, every resource). Only reads are
     * issued; failures on 408/429/5xx/network/timeouts are retried with backoff, 401/403/other
     * 4xx never fast.
     */
    cache?: {
      /** A list page or watch start without an answer within this time fails as `timeout`. Default 15000. */
      requestTimeoutMs?: number;
      /** First retry delay; doubles per retry. Default 1000. */
      backoffMs?: number;
      /** Cap of the retry delay, `Retry-After` included. Default 30000. */
      maxBackoffMs?: number;
      /** Retries in a row with backoff before the cluster is only checked every `recheckMs`. Default 8. */
      maxRetries?: number;
      /** Pace of checks after a 401/403/other 4xx or exhausted retries. Default 60000. */
      recheckMs?: number;
    };
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
