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
      /**
       * A running watch that delivers no event and no bookmark for this long is treated as
       * broken (2000–600000). Default 30000. A frozen API server or a half-open connection
       * stays silent without closing: the cluster turns `stale` (with `staleSince`) and the
       * watch reconnects with the backoff above, relisting only when its resourceVersion is
       * gone (410). Each watch asks the API server for bookmarks and a server-side timeout of
       * half this deadline: an API server sends bookmarks only about once a minute, so it is
       * the shorter server-side timeout (ended by a bookmark, renewed from the last
       * resourceVersion without a relist) that keeps a healthy but quiet watch inside the
       * deadline.
       */
      idleDeadlineMs?: number;
    };
    /**
     * Live pages (Backstage signals): when a watch cache changes what a placement, storage or
     * GitOps view would show, a signal carrying only the answer's new version (its ETag) goes
     * out on the entity's or cluster's channel, and open pages fetch the answer again with
     * their user's credentials.
     */
    live?: {
      /** Publish the signals. Default true; false leaves pages loading once. */
      enabled?: boolean;
      /** Changes within this window after the first are published with it (50–60000). Default 500. */
      debounceMs?: number;
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
