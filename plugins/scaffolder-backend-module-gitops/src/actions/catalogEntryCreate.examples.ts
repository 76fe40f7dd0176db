import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import { stringify } from 'yaml';

export const examples: TemplateExample[] = [
  {
    description: 'Register "notes" in the catalog, owned by the platform team',
    example: stringify({
      steps: [
        {
          id: 'catalog',
          action: 'cloudlab:catalog-entry:create',
          name: 'Catalog entry',
          input: {
            workload: 'notes',
            owner: 'group:default/platform-team',
            description: 'Team notes',
          },
        },
      ],
    }),
  },
];
