/**
 * Cloudlab's multi-provider views for apps on the legacy frontend system
 * (`@backstage/core-plugin-api`, routes in `App.tsx`, tabs in `EntityPage.tsx`). The components
 * are the ones the new frontend system's extensions load; only the wiring differs.
 *
 * @packageDocumentation
 */
import type { JSX } from 'react';
import { convertLegacyRouteRef } from '@backstage/core-compat-api';
import {
  createComponentExtension,
  createPlugin,
  createRoutableExtension,
} from '@backstage/core-plugin-api';
import { multiProviderApiFactory } from './api';
import { gitopsRouteRef, rootRouteRef, storageRouteRef } from './routes';

// The new frontend system's route refs, made usable by the legacy router as well, so that one
// set of refs names the pages in both systems.
const legacyRootRouteRef = convertLegacyRouteRef(rootRouteRef);
const legacyStorageRouteRef = convertLegacyRouteRef(storageRouteRef);
const legacyGitopsRouteRef = convertLegacyRouteRef(gitopsRouteRef);

/**
 * The multi-provider plugin for the legacy frontend system: registers the
 * {@link MultiProviderApi} client and owns the pages' route refs.
 *
 * @public
 */
export const multiProviderPlugin = createPlugin({
  id: 'multi-provider',
  apis: [multiProviderApiFactory],
  routes: {
    root: legacyRootRouteRef,
    storage: legacyStorageRouteRef,
    gitops: legacyGitopsRouteRef,
  },
});

/**
 * The platform page: every cluster's provider → region → zone → node map, data locality,
 * cluster health and the failure-domain simulation. Mount it at `/multi-provider`.
 *
 * @public
 */
export const ProvidersPage: () => JSX.Element | null =
  multiProviderPlugin.provide(
    createRoutableExtension({
      name: 'ProvidersPage',
      mountPoint: legacyRootRouteRef,
      component: () =>
        import('./components/ProvidersPage').then(m => m.ProvidersPage),
    }),
  );

/**
 * The platform storage page: CSI drivers, StorageClasses, volumes per provider zone, findings
 * and the desired state. Mount it at `/multi-provider/storage`.
 *
 * @public
 */
export const StoragePage: () => JSX.Element | null =
  multiProviderPlugin.provide(
    createRoutableExtension({
      name: 'StoragePage',
      mountPoint: legacyStorageRouteRef,
      component: () =>
        import('./components/StoragePage').then(m => m.StoragePage),
    }),
  );

/**
 * The platform GitOps page: every Flux object with its roll-up. Mount it at
 * `/multi-provider/gitops`.
 *
 * @public
 */
export const GitOpsPage: () => JSX.Element | null = multiProviderPlugin.provide(
  createRoutableExtension({
    name: 'GitOpsPage',
    mountPoint: legacyGitopsRouteRef,
    component: () => import('./components/GitOpsPage').then(m => m.GitOpsPage),
  }),
);

/**
 * The entity's Placement tab content: where its pods run, cluster → provider → region → zone →
 * node. Show it for entities that pass {@link isPlacementAvailable}, at path `/placement`
 * (the GitOps tab links there).
 *
 * @public
 */
export const EntityPlacementContent: () => JSX.Element | null =
  multiProviderPlugin.provide(
    createComponentExtension({
      name: 'EntityPlacementContent',
      component: {
        lazy: () =>
          import('./components/EntityPlacementContent').then(
            m => m.EntityPlacementContent,
          ),
      },
    }),
  );

/**
 * The entity's Storage tab content: its claims with class, provider and zone of the volume,
 * pods and findings. Show it for entities that pass {@link isPlacementAvailable}.
 *
 * @public
 */
export const EntityStorageContent: () => JSX.Element | null =
  multiProviderPlugin.provide(
    createComponentExtension({
      name: 'EntityStorageContent',
      component: {
        lazy: () =>
          import('./components/EntityStorageContent').then(
            m => m.EntityStorageContent,
          ),
      },
    }),
  );

/**
 * The entity's GitOps tab content: roll-up, Flux objects, dependency chain, inventory and
 * secrets, and reconcile / suspend / resume for operators. Show it for entities that pass
 * {@link isGitOpsAvailable}.
 *
 * @public
 */
export const EntityGitOpsContent: () => JSX.Element | null =
  multiProviderPlugin.provide(
    createComponentExtension({
      name: 'EntityGitOpsContent',
      component: {
        lazy: () =>
          import('./components/EntityGitOpsContent').then(
            m => m.EntityGitOpsContent,
          ),
      },
    }),
  );

/**
 * The Secrets card for the entity overview: VSO sync state of the entity's secrets, never a
 * value. Show it for entities that pass {@link isGitOpsAvailable}.
 *
 * @public
 */
export const EntitySecretsCard: () => JSX.Element | null =
  multiProviderPlugin.provide(
    createComponentExtension({
      name: 'EntitySecretsCard',
      component: {
        lazy: () =>
          import('./components/EntitySecretsCard').then(
            m => m.EntitySecretsCard,
          ),
      },
    }),
  );

export { isPlacementAvailable } from './isPlacementAvailable';
export { isGitOpsAvailable } from './isGitOpsAvailable';
export {
  multiProviderApiRef,
  multiProviderApiFactory,
  MultiProviderClient,
  InvalidResponseError,
  type MultiProviderApi,
} from './api';
