import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import { stringify } from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      'Expose the Service "notes" as notes-hetzner / notes-scaleway on the tailnet',
    example: stringify({
      steps: [
        {
          id: 'expose',
          action: 'cloudlab:tailscale:expose',
          name: 'Expose on the tailnet',
          input: { workload: 'notes' },
        },
      ],
    }),
  },
];
