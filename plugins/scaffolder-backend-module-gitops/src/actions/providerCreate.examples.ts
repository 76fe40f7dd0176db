import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import { stringify } from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      'Onboard OVHcloud (one non-EU region is declared but never used for placement)',
    example: stringify({
      steps: [
        {
          id: 'provider',
          action: 'cloudlab:provider:create',
          name: 'Onboard the provider',
          input: {
            name: 'ovhcloud',
            displayName: 'OVHcloud',
            regions: [
              {
                name: 'eu-west-gra',
                country: 'FR',
                eu: true,
                zones: ['eu-west-gra-a'],
              },
              {
                name: 'ca-east-bhs',
                country: 'CA',
                eu: false,
                zones: ['ca-east-bhs-a'],
              },
            ],
            csiDriver: 'cinder.csi.openstack.org',
            topologyKey: 'topology.cinder.csi.openstack.org/zone',
            topologyLevel: 'zone',
            minVolumeSize: '1Gi',
            wholeGiB: true,
            classes: [{ name: 'csi-cinder-high-speed' }],
          },
        },
      ],
    }),
  },
];
