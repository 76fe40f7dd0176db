import type {
  EntityCostResponse,
  PlatformCost,
} from '@cloudlab/plugin-multi-provider-common';

const RULE = 'A node costs its server type’s monthly list price …';
const header = { cluster: 'lab', state: 'synced' as const };

/** A platform cost: a priced Hetzner node with one service, an unpriced Scaleway node. */
export function platformCostFixture(): PlatformCost {
  const set = (monthly: number, used: number, unknownNodes = 0) => ({
    nodes: 1,
    unknownNodes,
    monthly,
    used,
    idle: monthly - used,
  });
  return {
    clusters: [
      {
        ...header,
        currency: 'EUR',
        rule: RULE,
        stale: [],
        total: { ...set(6.8, 1.7), nodes: 2, unknownNodes: 1 },
        nodes: [
          {
            ...set(6.8, 1.7),
            name: 'h1',
            provider: 'hetzner',
            region: 'fsn1',
            zone: 'fsn1-dc14',
            serverType: 'cx32',
            pods: 1,
          },
          {
            ...set(0, 0, 1),
            name: 's1',
            provider: 'scaleway',
            region: 'fr-par',
            zone: 'fr-par-1',
            unknownReason: 'the node names no server type',
            pods: 0,
          },
        ],
        providers: [
          { ...set(6.8, 1.7), provider: 'hetzner' },
          { ...set(0, 0, 1), provider: 'scaleway' },
        ],
        regions: [],
        zones: [
          {
            ...set(6.8, 1.7),
            provider: 'hetzner',
            region: 'fsn1',
            zone: 'fsn1-dc14',
          },
          {
            ...set(0, 0, 1),
            provider: 'scaleway',
            region: 'fr-par',
            zone: 'fr-par-1',
          },
        ],
        services: [
          {
            id: 'shop/web,with-comma',
            namespace: 'shop',
            name: 'web',
            pods: 1,
            unknownPods: 0,
            monthly: 1.7,
            byProvider: { hetzner: 1.7 },
          },
        ],
        claims: [
          {
            namespace: 'shop',
            name: 'data',
            storageClassName: 'hcloud-volumes',
            provider: 'hetzner',
            billedGiB: 10,
            monthly: 0.44,
          },
        ],
        storageClasses: [
          {
            storageClassName: 'hcloud-volumes',
            provider: 'hetzner',
            claims: 1,
            unknownClaims: 0,
            billedGiB: 10,
            monthly: 0.44,
          },
        ],
      },
    ],
  };
}

/** An entity's cost: one workload on Hetzner with its Scaleway alternative, one claim. */
export function entityCostFixture(
  stale: EntityCostResponse['stale'] = [],
): EntityCostResponse {
  return {
    entityRef: 'component:default/web',
    currency: 'EUR',
    rule: RULE,
    stale,
    clusters: [
      {
        ...header,
        total: {
          pods: 2,
          unknownPods: 1,
          monthly: 1.7,
          byProvider: { hetzner: 1.7 },
        },
        workloads: [
          {
            id: 'shop/StatefulSet/web',
            namespace: 'shop',
            kind: 'StatefulSet',
            name: 'web',
            pods: 2,
            unknownPods: 1,
            monthly: 1.7,
            byProvider: { hetzner: 1.7 },
            alternatives: [
              {
                provider: 'hetzner',
                fits: true,
                serverType: 'cx22',
                regions: ['fsn1'],
                monthly: 1.9,
              },
              {
                provider: 'scaleway',
                fits: false,
                reason: 'no server type fits the requests',
              },
            ],
          },
        ],
        claims: [
          {
            namespace: 'shop',
            name: 'data',
            storageClassName: 'hcloud-volumes',
            provider: 'hetzner',
            billedGiB: 10,
            monthly: 0.44,
          },
          {
            namespace: 'shop',
            name: 'odd',
            storageClassName: 'nfs',
            provider: null,
            billedGiB: null,
            monthly: null,
            unknownReason: 'no provider of the registry provisions its class',
          },
        ],
      },
    ],
  };
}
