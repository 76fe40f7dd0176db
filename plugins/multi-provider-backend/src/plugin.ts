import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { multiProviderPermissions } from '@cloudlab/plugin-multi-provider-common';
import { actionsRegistryServiceRef } from '@backstage/backend-plugin-api/alpha';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { notificationService } from '@backstage/plugin-notifications-node';
import { signalsServiceRef } from '@backstage/plugin-signals-node';
import { clusterGitOpsLiveChannel } from '@cloudlab/plugin-multi-provider-common';
import { ClusterCache } from './shared/ClusterCache';
import { readMultiProviderConfig } from './config';
import {
  clusterSourceServiceRef,
  fluxOperatorServiceRef,
  loadConfiguredProviderRegistry,
  gitopsTreeServiceRef,
  readCostConfig,
  readFluxNotificationsConfig,
  readGitopsTreeConfig,
} from '@cloudlab/plugin-multi-provider-node';
import { placementRoutes } from './placement/placementRouter';
import { PlacementService } from './placement/PlacementService';
import { storageRoutes } from './storage/storageRouter';
import { costRoutes } from './cost/costRouter';
import { CostService } from './cost/CostService';
import { DesiredStorageService } from './storage/DesiredStorageService';
import { StorageCache } from './storage/StorageCache';
import { StorageService } from './storage/StorageService';
import { readStorageConfig } from './storage/storageConfig';
import { GitOpsService } from './gitops/GitOpsService';
import { registerGitOpsInformers } from './gitops/resources';
import { gitopsRoutes } from './gitops/gitopsRouter';
import { FluxIncidentNotifier } from './gitops/FluxIncidentNotifier';
import { cachedCatalog, cachedPermissions } from './shared/shortLivedCache';
import { registerAnalysisActions } from './actions/analysisActions';
import { LiveSignals } from './shared/liveSignals';
import { clusterHeader } from './shared/clusterHeader';

/** The multi-provider backend plugin: cluster caches, the placement, storage and GitOps APIs and their read-only actions. */
export const multiProviderPlugin = createBackendPlugin({
  pluginId: 'multi-provider',
  register(env) {
    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        httpAuth: coreServices.httpAuth,
        httpRouter: coreServices.httpRouter,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        lifecycle: coreServices.lifecycle,
        auth: coreServices.auth,
        notifications: notificationService,
        signals: signalsServiceRef,
        actionsRegistry: actionsRegistryServiceRef,
        catalog: catalogServiceRef,
        clusterSource: clusterSourceServiceRef,
        fluxOperator: fluxOperatorServiceRef,
        gitopsTree: gitopsTreeServiceRef,
      },
      async init(deps) {
        const { config, logger, lifecycle } = deps;
        // A user's ALLOW decision and resolved entity are reused for a few seconds
        // (docs/adr/1102-short-lived-caller-caches.md); DENY is never cached.
        const permissions = cachedPermissions(deps.permissions);
        const catalog = cachedCatalog(deps.catalog);
        // Every setting is read, and the registry loaded, before anything starts: a missing
        // or invalid one stops the backend with the key named.
        const settings = readMultiProviderConfig(config);
        const tree = readGitopsTreeConfig(config);
        const costSettings = readCostConfig(config);
        const fluxNotifications = readFluxNotificationsConfig(config);
        const registry = await loadConfiguredProviderRegistry(
          settings.providers,
        );
        deps.permissionsRegistry.addPermissions(multiProviderPermissions);
        const timing = { ...settings.cache, pageSize: settings.pageSize };
        const caches = deps.clusterSource
          .getClusters()
          .map(c => new ClusterCache(c, logger, timing));
        const storageCaches = caches.flatMap(c =>
          c.connection.storage
            ? [new StorageCache(c, c.connection.storage, logger, timing)]
            : [],
        );
        // Registered before the caches start, so they start and stop with them.
        const gitopsInformers = caches.flatMap(
          c => registerGitOpsInformers(c, logger, timing) ?? [],
        );
        const gitops = new GitOpsService(gitopsInformers, catalog);
        // Subscribed before the caches start, so the first listing is seen as such.
        const notifier = fluxNotifications.enabled
          ? new FluxIncidentNotifier({
              clusters: gitopsInformers,
              gitops,
              notifications: deps.notifications,
              auth: deps.auth,
              config: fluxNotifications,
              logger,
            })
          : undefined;
        notifier?.start();
        // Live pages (docs/adr/0503-live-pages.md): every cache change starts a window, at its
        // end each followed answer whose version moved gets one signal carrying the version.
        const live = settings.live.enabled
          ? new LiveSignals({
              signals: deps.signals,
              logger,
              debounceMs: settings.live.debounceMs,
            })
          : undefined;
        if (live) {
          caches.forEach(c => c.onChange(live.changed));
          storageCaches.forEach(c => c.onChange(live.changed));
          for (const g of gitopsInformers) {
            live.followAlways(
              clusterGitOpsLiveChannel(g.cache.name),
              () =>
                `${JSON.stringify(clusterHeader(g.cache))}|${g.version.value}`,
            );
          }
        }
        const all = [...caches, ...storageCaches];
        lifecycle.addStartupHook(() => all.forEach(c => c.start()));
        lifecycle.addShutdownHook(() => {
          live?.stop();
          notifier?.stop();
          all.forEach(c => c.stop());
        });
        // One instance per feature, shared by its routes and its actions: one code path per answer.
        const placement = new PlacementService(
          caches,
          () => registry,
          catalog,
          storageCaches,
          live,
        );
        const storage = new StorageService(
          storageCaches,
          () => registry,
          catalog,
          live,
        );
        const desired = new DesiredStorageService(
          readStorageConfig(config, tree),
          () => registry,
          deps.gitopsTree,
        );
        const guard = { httpAuth: deps.httpAuth, permissions };
        deps.httpRouter.use(placementRoutes({ ...guard, placement }));
        deps.httpRouter.use(storageRoutes({ ...guard, storage, desired }));
        deps.httpRouter.use(
          costRoutes({
            ...guard,
            cost: new CostService(
              caches,
              storageCaches,
              () => registry,
              catalog,
              { maxPriceAgeMs: costSettings.maxPriceAgeMs },
            ),
          }),
        );
        deps.httpRouter.use(
          gitopsRoutes({ ...guard, gitops, operator: deps.fluxOperator }),
        );
        registerAnalysisActions({
          actionsRegistry: deps.actionsRegistry,
          permissions,
          placement,
          storage,
          desired,
          gitops,
        });
        logger.info(
          `multi-provider: ${caches.length} cluster(s), ${
            registry.providers.length
          } provider(s) from ${
            settings.providers.type === 'directory'
              ? settings.providers.directory
              : 'cloudlab.providers.entries'
          }`,
        );
      },
    });
  },
});
