import { createPermission } from '@backstage/plugin-permission-common';

/**
 * Read where workloads run, platform placement and failure-domain verdicts.
 *
 * @public
 */
export const multiProviderPlacementReadPermission = createPermission({
  name: 'multi-provider.placement.read',
  attributes: { action: 'read' },
});

/**
 * Read claims, volumes, storage classes and storage findings.
 *
 * @public
 */
export const multiProviderStorageReadPermission = createPermission({
  name: 'multi-provider.storage.read',
  attributes: { action: 'read' },
});

/**
 * Read the GitOps views: Flux objects, their roll-up, VSO secret-sync status (never values).
 *
 * @public
 */
export const multiProviderGitopsReadPermission = createPermission({
  name: 'multi-provider.gitops.read',
  attributes: { action: 'read' },
});

/**
 * Operate Flux from the portal: "reconcile now" and suspend/resume. Not a read: the app's policy
 * keeps it for administrators; the backend also needs the optional operator credential.
 *
 * @public
 */
export const multiProviderFluxOperatePermission = createPermission({
  name: 'multi-provider.gitops.operate',
  attributes: { action: 'update' },
});

/**
 * Every permission of the multi-provider plugin.
 *
 * @public
 */
export const multiProviderPermissions = [
  multiProviderPlacementReadPermission,
  multiProviderStorageReadPermission,
  multiProviderGitopsReadPermission,
  multiProviderFluxOperatePermission,
];
