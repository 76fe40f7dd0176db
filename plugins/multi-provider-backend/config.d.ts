export interface Config {
  /**
   * Configuration of the multi-provider plugin. Clusters come from `kubernetes.clusterLocatorMethods`
   * (type config); the GitOps tree and the provider registry from the suite's shared
   * `cloudlab.gitopsTree` and `cloudlab.providers` (see `@cloudlab/plugin-multi-provider-node`).
   */
  multiProvider?: {
    /**
     * A kubeconfig file for local use, relative to the backend's working directory; its current
     * context becomes one more cluster.
     */
    kubeconfig?: string;
    /** Name of the kubeconfig cluster; defaults to the context name. */
    kubeconfigClusterName?: string;
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
