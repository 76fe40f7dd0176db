import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import { stringify } from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      "Commit the change to the lab repository's default branch (Flux picks it up)",
    example: stringify({
      steps: [
        {
          id: 'commit',
          action: 'cloudlab:git:commit',
          name: 'Commit to the lab repository',
          if: "${{ steps.checkout.output.publish == 'local' }}",
          input: { message: 'Add workload notes' },
        },
      ],
    }),
  },
];
