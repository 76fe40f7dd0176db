import { SchedulerServiceTaskScheduleDefinitionConfig } from '@backstage/backend-plugin-api';

export interface Config {
  catalog?: {
    providers?: {
      /** The Flux entity provider (`@cloudlab/plugin-catalog-backend-module-flux`). */
      cloudlabFlux?: {
        /**
         * Repository root holding `gitops/`, `providers/` and `catalog/`, relative to the
         * backend's working directory. Default: the nearest ancestor holding `gitops/` and
         * `providers/`.
         */
        rootDir?: string;
        /** Flux tree, relative to `rootDir`. Default `gitops`. */
        gitopsDir?: string;
        /** Provider registry, relative to `rootDir`. Default `providers`. */
        providersDir?: string;
        /** Hand-written catalog (read for the override rule), relative to `rootDir`. Default `catalog`. */
        catalogDir?: string;
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
        /** How often gitops/ is re-read. Default every minute, timeout 30 s. */
        schedule?: SchedulerServiceTaskScheduleDefinitionConfig;
      };
    };
  };
}
