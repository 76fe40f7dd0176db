import { SchedulerServiceTaskScheduleDefinitionConfig } from '@backstage/backend-plugin-api';

export interface Config {
  catalog?: {
    providers?: {
      /**
       * The Flux entity provider (`@cloudlab/plugin-catalog-backend-module-flux`). What it reads
       * (the tree, the hand-written catalog, the provider registry) is the suite's shared
       * `cloudlab.gitopsTree` and `cloudlab.providers`.
       */
      cloudlabFlux?: {
        /** Browsable repository URL for links. Default `https://github.com/cloudlab-dev/cloudlab`. */
        repoUrl?: string;
        /** Branch in links. Default `main`. */
        branch?: string;
        /** Grafana base URL; when set, services link to the placement dashboard. */
        grafanaUrl?: string;
        /** Owner of generated entities. Default `group:default/platform-team`. */
        defaultOwner?: string;
        /** Clusters whose services are `production`; others are `experimental`. Default `[cloudlab]`. */
        productionClusters?: string[];
        /** How often the tree is re-read. Default every minute, timeout 30 s. */
        schedule?: SchedulerServiceTaskScheduleDefinitionConfig;
      };
    };
  };
}
