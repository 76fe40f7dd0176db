import type {
  DesiredStorageResponse,
  EntityStorageResponse,
  PlatformStorageResponse,
  StorageFinding,
} from '@cloudlab/plugin-multi-provider-common';

const conflict: StorageFinding = {
  id: 'volume-node-affinity-conflict',
  severity: 'error',
  objects: [
    { kind: 'Pod', namespace: 'shop', name: 'web-1' },
    { kind: 'PersistentVolumeClaim', namespace: 'shop', name: 'wrong' },
  ],
  message:
    'The scheduler cannot place pod web-1: 1 node(s) had volume node affinity conflict',
  fix: 'Give the claim a class of the provider the pod is pinned to',
};

/** Entity storage of the Pi-hole with one conflicting claim. */
export function piholeStorage(): EntityStorageResponse {
  return {
    entityRef: 'component:default/pihole',
    clusters: [
      {
        cluster: 'lab',
        state: 'synced',
        findings: [conflict],
        claims: [
          {
            namespace: 'pihole-hetzner',
            name: 'pihole-data',
            phase: 'Bound',
            storageClassName: 'hcloud-volumes',
            provider: 'hetzner',
            providerDisplayName: 'Hetzner Cloud',
            topologyKey: 'csi.hetzner.cloud/location',
            zone: 'hel1',
            requested: '10Gi',
            requestedBytes: 10 * 1024 ** 3,
            capacity: '10Gi',
            accessModes: ['ReadWriteOnce'],
            bindingMode: 'WaitForFirstConsumer',
            pods: [
              {
                name: 'pihole-abc',
                phase: 'Running',
                nodeName: 'hetzner-hel1-dc2-cx32-1',
                provider: 'hetzner',
                zone: 'hel1-dc2',
              },
            ],
            findings: [],
          },
          {
            namespace: 'shop',
            name: 'wrong',
            phase: 'Bound',
            storageClassName: 'scw-bssd',
            provider: 'scaleway',
            providerDisplayName: 'Scaleway',
            zone: 'fr-par-1',
            requested: '1Gi',
            requestedBytes: 1024 ** 3,
            accessModes: ['ReadWriteOnce'],
            pods: [{ name: 'web-1', phase: 'Pending' }],
            findings: [conflict],
          },
        ],
      },
    ],
  };
}

/** Platform storage of the lab. */
export function labStorage(): PlatformStorageResponse {
  return {
    clusters: [
      {
        cluster: 'lab',
        state: 'synced',
        csiDrivers: [
          {
            name: 'csi.hetzner.cloud',
            provider: 'hetzner',
            providerDisplayName: 'Hetzner Cloud',
            installed: true,
            attachRequired: true,
            nodes: ['h1'],
            missingOn: [],
          },
        ],
        storageClasses: [
          {
            name: 'hcloud-volumes',
            provider: 'hetzner',
            providerDisplayName: 'Hetzner Cloud',
            provisioner: 'csi.hetzner.cloud',
            reclaimPolicy: 'Delete',
            bindingMode: 'WaitForFirstConsumer',
            allowVolumeExpansion: true,
            topology: [],
            isDefault: true,
            claims: 1,
            requestedBytes: 10 * 1024 ** 3,
            volumes: 4,
            boundVolumes: 1,
            availableVolumes: 3,
            releasedVolumes: 0,
            capacityBytes: 40 * 1024 ** 3,
          },
        ],
        zones: [
          {
            provider: 'hetzner',
            providerDisplayName: 'Hetzner Cloud',
            zone: 'hel1',
            claims: 1,
            volumes: 4,
            boundVolumes: 1,
            capacityBytes: 40 * 1024 ** 3,
            boundBytes: 10 * 1024 ** 3,
          },
        ],
        totals: { claims: 1, pendingClaims: 0, volumes: 4 },
        findings: [
          {
            id: 'default-class',
            severity: 'warning',
            objects: [{ kind: 'StorageClass', name: 'hcloud-volumes' }],
            message: 'StorageClass hcloud-volumes is the default',
            fix: 'Name the class in every PVC',
          },
        ],
        findingsTotal: 1,
        findingCounts: { 'default-class': 1 },
      },
    ],
  };
}

/** The desired state of the lab tree: one Pi-hole claim of a Hetzner class, no findings. */
export function labDesiredStorage(): DesiredStorageResponse {
  return {
    cluster: 'lab',
    clusters: ['cloudlab', 'lab'],
    renderedAt: '2026-01-01T00:00:00Z',
    findings: [],
    kustomizations: [
      {
        name: 'apps-pihole-hetzner',
        namespace: 'flux-system',
        path: 'gitops/apps/pihole/hetzner',
        file: 'gitops/clusters/lab/apps.yaml',
        storageClasses: [],
        findings: [],
        claims: [
          {
            namespace: 'pihole-hetzner',
            name: 'pihole-data',
            storageClassName: 'hcloud-volumes',
            provider: 'hetzner',
            requested: '10Gi',
            accessModes: ['ReadWriteOnce'],
            workloads: [
              {
                kind: 'Deployment',
                name: 'pihole',
                pinnedProvider: 'hetzner',
              },
            ],
          },
        ],
      },
    ],
  };
}
