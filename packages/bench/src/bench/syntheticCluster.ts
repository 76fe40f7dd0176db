import { KUBERNETES_ANNOTATION } from '@backstage/plugin-kubernetes-common';
import { KubeNode, KubePod } from '@cloudlab/plugin-multi-provider-common';
import { InMemoryCluster } from '@cloudlab/plugin-multi-provider-backend/internal';

const PROVIDERS = [
  {
    name: 'hetzner',
    zones: [
      ['fsn1', 'fsn1-dc14'],
      ['nbg1', 'nbg1-dc3'],
      ['hel1', 'hel1-dc2'],
    ],
  },
  {
    name: 'scaleway',
    zones: [
      ['fr-par', 'fr-par-1'],
      ['fr-par', 'fr-par-2'],
      ['nl-ams', 'nl-ams-1'],
    ],
  },
];

/**
 * A synthetic cluster for the placement benchmarks: `nodeCount` nodes over two providers and six
 * zones, `podCount` pods of 500 apps (`app-0` … `app-499`) in 40 namespaces, a third of them with a
 * provider node selector.
 */
export function syntheticCluster(
  nodeCount: number,
  podCount: number,
): InMemoryCluster {
  const nodes: KubeNode[] = Array.from({ length: nodeCount }, (_, i) => {
    const p = PROVIDERS[i % 2];
    const [region, zone] = p.zones[i % 3];
    return {
      metadata: {
        name: `${p.name}-${i}`,
        labels: {
          'cfke.io/provider': p.name,
          'kubernetes.io/hostname': `${p.name}-${i}`,
          'kubernetes.io/os': 'linux',
          'topology.kubernetes.io/region': region,
          'topology.kubernetes.io/zone': zone,
          'node.kubernetes.io/instance-type': 'cx32',
        },
      },
      spec: {
        providerID: `${p.name === 'hetzner' ? 'hcloud' : 'scaleway'}://${i}`,
      },
      status: {
        capacity: { cpu: '16', memory: '64Gi', pods: '110' },
        allocatable: { cpu: '15800m', memory: '62Gi', pods: '110' },
        conditions: [{ type: 'Ready', status: 'True' }],
      },
    };
  });
  const pods: KubePod[] = Array.from({ length: podCount }, (_, i) => {
    const app = `app-${i % 500}`;
    const hash = '7c4b9d8f6';
    return {
      metadata: {
        name: `${app}-${hash}-${i}`,
        namespace: `ns-${i % 40}`,
        labels: {
          'app.kubernetes.io/name': app,
          [KUBERNETES_ANNOTATION]: app,
          'pod-template-hash': hash,
        },
        ownerReferences: [
          { kind: 'ReplicaSet', name: `${app}-${hash}`, controller: true },
        ],
      },
      spec: {
        nodeName: nodes[i % nodeCount].metadata!.name,
        containers: [
          { resources: { requests: { cpu: '50m', memory: '64Mi' } } },
        ],
        tolerations: [
          {
            key: 'node.kubernetes.io/not-ready',
            operator: 'Exists',
            effect: 'NoExecute',
          },
          {
            key: 'node.kubernetes.io/unreachable',
            operator: 'Exists',
            effect: 'NoExecute',
          },
        ],
        ...(i % 3 === 0
          ? { nodeSelector: { 'cfke.io/provider': PROVIDERS[i % 2].name } }
          : {}),
      },
      status: {
        phase: 'Running',
        conditions: [{ type: 'PodScheduled', status: 'True' }],
      },
    };
  });
  return new InMemoryCluster('synthetic', { nodes, pods });
}
