import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import { stringify } from 'yaml';

export const examples: TemplateExample[] = [
  {
    description: 'First step of every Cloudlab template',
    example: stringify({
      steps: [
        {
          id: 'checkout',
          action: 'cloudlab:gitops:checkout',
          name: 'Check out the GitOps tree',
          input: {},
        },
      ],
    }),
  },
];
