export interface Config {
  cloudlab?: {
    /**
     * Links from every entity view to the platform's observability. A link appears only when
     * the keys it needs are set.
     */
    links?: {
      grafana?: {
        /**
         * Grafana's external address, e.g. https://grafana.example.com (a sub-path is kept).
         * @visibility frontend
         */
        baseUrl: string;
        /**
         * The dashboard each entity links to; an entity's annotation
         * cloudlab.dev/grafana-dashboard-uid names its own instead.
         * @visibility frontend
         */
        dashboardUid?: string;
      };
      loki?: {
        /**
         * The uid of Grafana's Loki data source: each entity links to Grafana Explore with a
         * query of its pods' logs (namespace and label selector).
         * @visibility frontend
         */
        datasourceUid: string;
      };
    };
  };
}
