import type { ProviderChoice } from '../ProviderPicker';

/** The lab's provider registry as the providers endpoint serves it. */
export const providers: ProviderChoice[] = [
  {
    name: 'hetzner',
    displayName: 'Hetzner Cloud',
    storage: {
      csiDriver: 'csi.hetzner.cloud',
      topologyKey: 'csi.hetzner.cloud/location',
      topologyLevel: 'region',
      minVolumeSize: '10Gi',
      wholeGiB: true,
      classes: [
        {
          name: 'hcloud-volumes',
          reclaimPolicy: 'Delete',
          allowVolumeExpansion: true,
        },
      ],
    },
  },
  {
    name: 'scaleway',
    displayName: 'Scaleway',
    storage: {
      csiDriver: 'csi.scaleway.com',
      topologyKey: 'topology.csi.scaleway.com/zone',
      topologyLevel: 'zone',
      minVolumeSize: '1Gi',
      wholeGiB: false,
      classes: [
        {
          name: 'scw-bssd',
          reclaimPolicy: 'Delete',
          allowVolumeExpansion: true,
        },
        {
          name: 'scw-bssd-retain',
          reclaimPolicy: 'Retain',
          allowVolumeExpansion: true,
        },
      ],
    },
  },
];
