import type { Entity } from '@backstage/catalog-model';
import type {
  ClusterPlacement,
  EntityPlacementResponse,
  FailureDomainResponse,
  PlacementPod,
  PlatformNode,
  PlatformPlacementResponse,
  Usage,
} from '@cloudlab/plugin-multi-provider-common';

const GIB = 1024 ** 3;

/** The Pi-hole component as the catalog has it, with any more annotations. */
export function piholeEntity(annotations: Record<string, string> = {}): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: 'pihole',
      namespace: 'default',
      annotations: { 'backstage.io/kubernetes-id': 'pihole', ...annotations },
    },
    spec: {},
  };
}

/** A running Pi-hole pod that matches its nodeSelector. */
export function pod(
  name: string,
  overrides: Partial<PlacementPod> = {},
): PlacementPod {
  return {
    name,
    namespace: 'pihole-hetzner',
    owner: { kind: 'Deployment', name: 'pihole' },
    phase: 'Running',
    nodeName: 'hz-fsn1-1',
    requests: { cpuMillis: 100, memoryBytes: 128 * 1024 ** 2 },
    intent: { nodeSelector: { 'cfke.io/provider': 'hetzner' } },
    intentMatches: true,
    intentStatus: 'matches',
    reasons: ['nodeSelector cfke.io/provider=hetzner matches'],
    ...overrides,
  };
}

/** The lab's Pi-hole: one pod per provider, plus a pending one with a reason. */
export function piholePlacement(): EntityPlacementResponse {
  return {
    entityRef: 'component:default/pihole',
    clusters: [
      {
        cluster: 'lab',
        state: 'synced',
        podCount: 3,
        warnings: ['pihole-scaleway: all replicas in zone fr-par-1'],
        providers: [
          {
            name: 'hetzner',
            displayName: 'Hetzner',
            known: true,
            regions: [
              {
                name: 'fsn1',
                eu: true,
                zones: [
                  {
                    name: 'fsn1-dc14',
                    nodes: [
                      {
                        name: 'hz-fsn1-1',
                        ready: true,
                        pods: [pod('pihole-hetzner-7d9f-abcde')],
                      },
                    ],
                  },
                ],
              },
            ],
          },
          {
            name: 'scaleway',
            displayName: 'Scaleway',
            known: true,
            regions: [
              {
                name: 'fr-par',
                eu: true,
                zones: [
                  {
                    name: 'fr-par-1',
                    nodes: [
                      {
                        name: 'scw-par1-1',
                        ready: true,
                        pods: [
                          pod('pihole-scaleway-5c8b-fghij', {
                            namespace: 'pihole-scaleway',
                            nodeName: 'scw-par1-1',
                            intentStatus: 'warning',
                            intentMatches: false,
                            intent: {
                              topologySpread: [
                                {
                                  topologyKey: 'topology.kubernetes.io/zone',
                                  maxSkew: 1,
                                  whenUnsatisfiable: 'ScheduleAnyway',
                                },
                              ],
                            },
                            reasons: ['preferred zone fr-par-2 not used'],
                          }),
                        ],
                      },
                    ],
                  },
                ],
              },
            ],
          },
        ],
        unscheduled: [
          pod('pihole-hetzner-7d9f-zzzzz', {
            phase: 'Pending',
            nodeName: undefined,
            intentStatus: 'pending',
            intentMatches: false,
            pendingReason: '0/4 nodes are available: insufficient cpu',
            reasons: [],
          }),
        ],
      },
      {
        cluster: 'far-away',
        state: 'error',
        error: 'connect ECONNREFUSED 10.0.0.1:6443',
        errorType: 'unreachable',
        podCount: 0,
        warnings: [],
        providers: [],
        unscheduled: [],
      },
    ],
  };
}

/** One cluster with `count` pods spread over 2 providers × 2 zones × `nodes` nodes. */
export function bigPlacement(count: number, nodes = 50): ClusterPlacement {
  const providers = ['hetzner', 'scaleway'].map(p => ({
    name: p,
    displayName: p === 'hetzner' ? 'Hetzner' : 'Scaleway',
    known: true,
    regions: [
      {
        name: p === 'hetzner' ? 'fsn1' : 'fr-par',
        eu: true,
        zones: [1, 2].map(z => ({
          name: `${p}-zone-${z}`,
          nodes: Array.from({ length: nodes }, (_, n) => ({
            name: `${p}-${z}-node-${n}`,
            ready: true,
            pods: [] as PlacementPod[],
          })),
        })),
      },
    ],
  }));
  const allNodes = providers.flatMap(p =>
    p.regions.flatMap(r => r.zones.flatMap(z => z.nodes)),
  );
  for (let i = 0; i < count; i++) {
    const target = allNodes[i % allNodes.length];
    target.pods.push(
      pod(`web-${i}`, { namespace: 'web', nodeName: target.name }),
    );
  }
  return {
    cluster: 'lab',
    state: 'synced',
    podCount: count,
    warnings: [],
    providers,
    unscheduled: [],
  };
}

function usage(
  cpuMillis: number,
  memoryGiB: number,
  requestedCpu: number,
  requestedGiB: number,
  pods: number,
): Usage {
  return {
    capacity: { cpuMillis, memoryBytes: memoryGiB * GIB },
    allocatable: { cpuMillis, memoryBytes: memoryGiB * GIB },
    requested: { cpuMillis: requestedCpu, memoryBytes: requestedGiB * GIB },
    podCount: pods,
    podCapacity: 110,
  };
}

function node(
  name: string,
  requestedCpu: number,
  pods: number,
  extra: Partial<PlatformNode> = {},
): PlatformNode {
  return {
    name,
    ready: true,
    unschedulable: false,
    taints: [],
    eu: true,
    nonEu: false,
    ...usage(4000, 8, requestedCpu, 2, pods),
    ...extra,
  };
}

/** The lab's platform map: Hetzner (fsn1 EU + ash non-EU) and Scaleway (fr-par). */
export function labPlatform(): PlatformPlacementResponse {
  return {
    clusters: [
      {
        cluster: 'lab',
        state: 'synced',
        nonEuNodes: ['hz-ash-1'],
        providers: [
          {
            name: 'hetzner',
            displayName: 'Hetzner',
            known: true,
            ...usage(12000, 24, 6200, 6, 12),
            regions: [
              {
                name: 'fsn1',
                eu: true,
                nonEu: false,
                ...usage(8000, 16, 4200, 4, 9),
                zones: [
                  {
                    name: 'fsn1-dc14',
                    ...usage(8000, 16, 4200, 4, 9),
                    nodes: [
                      node('hz-fsn1-1', 3800, 6),
                      node('hz-fsn1-2', 400, 3, { ready: false }),
                    ],
                  },
                ],
              },
              {
                name: 'ash',
                eu: false,
                nonEu: true,
                ...usage(4000, 8, 2000, 2, 3),
                zones: [
                  {
                    name: 'ash-dc1',
                    ...usage(4000, 8, 2000, 2, 3),
                    nodes: [
                      node('hz-ash-1', 2000, 3, { eu: false, nonEu: true }),
                    ],
                  },
                ],
              },
            ],
          },
          {
            name: 'scaleway',
            displayName: 'Scaleway',
            known: true,
            ...usage(8000, 16, 1000, 2, 5),
            regions: [
              {
                name: 'fr-par',
                eu: true,
                nonEu: false,
                ...usage(8000, 16, 1000, 2, 5),
                zones: [
                  {
                    name: 'fr-par-1',
                    ...usage(4000, 8, 600, 1, 3),
                    nodes: [node('scw-par1-1', 600, 3)],
                  },
                  {
                    name: 'fr-par-2',
                    ...usage(4000, 8, 400, 1, 2),
                    nodes: [
                      node('scw-par2-1', 400, 2, {
                        unschedulable: true,
                        taints: ['dedicated=db:NoSchedule'],
                      }),
                    ],
                  },
                ],
              },
            ],
          },
        ],
      },
    ],
  };
}

/** Losing Hetzner in the lab: Pi-hole survives on Scaleway, a pinned app goes down. */
export function hetznerOutage(): FailureDomainResponse {
  return {
    domain: { level: 'provider', name: 'hetzner' },
    clusters: [
      {
        cluster: 'lab',
        state: 'synced',
        lostNodes: ['hz-fsn1-1', 'hz-fsn1-2', 'hz-ash-1'],
        summary: { survives: 1, degraded: 1, down: 1 },
        services: [
          {
            id: 'web/shop',
            namespace: 'web',
            name: 'shop',
            workloads: [{ kind: 'Deployment', name: 'shop' }],
            redundantPerProvider: false,
            affected: true,
            verdict: 'degraded',
            replicasBefore: 3,
            replicasAfter: 2,
            lost: 2,
            replaced: 1,
            reasons: ['1 of 2 lost replicas fits on scaleway (cpu)'],
          },
          {
            id: 'pihole',
            namespace: 'pihole-*',
            name: 'pihole',
            workloads: [
              { kind: 'Deployment', name: 'pihole-hetzner' },
              { kind: 'Deployment', name: 'pihole-scaleway' },
            ],
            redundantPerProvider: true,
            affected: true,
            verdict: 'survives',
            replicasBefore: 2,
            replicasAfter: 1,
            lost: 1,
            replaced: 0,
            reasons: ['the scaleway instance keeps answering'],
          },
          {
            id: 'db/postgres',
            namespace: 'db',
            name: 'postgres',
            workloads: [{ kind: 'StatefulSet', name: 'postgres' }],
            redundantPerProvider: false,
            affected: true,
            verdict: 'down',
            replicasBefore: 1,
            replicasAfter: 0,
            lost: 1,
            replaced: 0,
            reasons: [
              'nodeSelector cfke.io/provider=hetzner: no surviving node',
            ],
          },
        ],
      },
    ],
  };
}
