import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import { stringify } from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      'A stateless web service, one instance on each of two providers',
    example: stringify({
      steps: [
        {
          id: 'workload',
          action: 'cloudlab:workload:create',
          name: 'Write base and overlays',
          input: {
            name: 'hello',
            providers: ['hetzner', 'scaleway'],
            image: 'ghcr.io/cloudlab/hello:1.0.0',
            port: 8080,
            replicas: 2,
          },
        },
      ],
    }),
  },
  {
    description:
      'A stateful workload with a volume per instance, Scaleway on its retained class',
    example: stringify({
      steps: [
        {
          id: 'workload',
          action: 'cloudlab:workload:create',
          name: 'Write base and overlays',
          input: {
            name: 'notes',
            kind: 'StatefulSet',
            providers: ['hetzner', 'scaleway'],
            image: 'ghcr.io/cloudlab/notes:2.1.0',
            port: 3000,
            storage: {
              size: '10Gi',
              mountPath: '/var/lib/notes',
              classes: [{ provider: 'scaleway', class: 'scw-bssd-retain' }],
            },
          },
        },
      ],
    }),
  },
];
