import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import { stringify } from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      'Database credentials for every instance of the workload "notes"',
    example: stringify({
      steps: [
        {
          id: 'secret',
          action: 'cloudlab:vault-secret:create',
          name: 'Write VSO resources',
          input: {
            workload: 'notes',
            secretName: 'notes-db',
            refreshAfter: '10m',
          },
        },
      ],
    }),
  },
];
