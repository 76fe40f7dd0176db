import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import { stringify } from 'yaml';

export const examples: TemplateExample[] = [
  {
    description: 'Reconcile every instance of "notes" in every cluster',
    example: stringify({
      steps: [
        {
          id: 'flux',
          action: 'cloudlab:flux-kustomization:create',
          name: 'Wire Flux',
          input: { workload: 'notes' },
        },
      ],
    }),
  },
  {
    description:
      'Only in the lab cluster, waiting for the VSO configuration only',
    example: stringify({
      steps: [
        {
          id: 'flux',
          action: 'cloudlab:flux-kustomization:create',
          name: 'Wire Flux',
          input: {
            workload: 'notes',
            clusters: ['lab'],
            dependsOn: ['platform-vso-config'],
          },
        },
      ],
    }),
  },
];
