import { createPermission } from '@backstage/plugin-permission-common';

/** Read where workloads run, platform placement and failure-domain verdicts. */
export const multiProviderPlacementReadPermission = createPermission({
  name: 'multi-provider.placement.read',
  attributes: { action: 'read' },
});

/** Read claims, volumes, storage classes and storage findings. */
export const multiProviderStorageReadPermission = createPermission({
  name: 'multi-provider.storage.read',
  attributes: { action: 'read' },
});

/** Every permission of the multi-provider plugin. */
export const multiProviderPermissions = [
  multiProviderPlacementReadPermission,
  multiProviderStorageReadPermission,
];
