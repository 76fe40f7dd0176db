import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import { stringify } from 'yaml';

export const examples: TemplateExample[] = [
  {
    description: 'Validate the workspace after the writing steps',
    example: stringify({
      steps: [
        {
          id: 'validate',
          action: 'cloudlab:gitops:validate',
          name: 'Validate the GitOps tree',
          input: {},
        },
      ],
    }),
  },
];
