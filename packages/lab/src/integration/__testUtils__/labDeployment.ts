import * as k8s from '@kubernetes/client-node';

/**
 * A test Deployment of `replicas` pods labelled `app: <name>`, each container requesting
 * `requests`, kept off the lab-scale benchmark nodes (so a scaled lab does not change the
 * answer); `spec` adds to the pod spec, its `affinity` merged with that node affinity.
 */
export function labDeployment(
  namespace: string,
  name: string,
  replicas: number,
  spec: Partial<k8s.V1PodSpec> = {},
  requests: { cpu: string; memory: string } = { cpu: '10m', memory: '16Mi' },
): k8s.V1Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          containers: [
            {
              name: 'app',
              image: 'lab-app:never-pulled',
              resources: { requests },
            },
          ],
          affinity: {
            nodeAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: {
                nodeSelectorTerms: [
                  {
                    matchExpressions: [
                      {
                        key: 'cloudlab.dev/lab-scale',
                        operator: 'DoesNotExist',
                      },
                    ],
                  },
                ],
              },
            },
            ...spec.affinity,
          },
          ...Object.fromEntries(
            Object.entries(spec).filter(([k]) => k !== 'affinity'),
          ),
        },
      },
    },
  };
}
