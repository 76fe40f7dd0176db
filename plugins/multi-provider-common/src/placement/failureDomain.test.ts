import fc from 'fast-check';
import { analyseFailureDomain } from './failureDomain';
import { nodes, pods, registry } from '../__fixtures__/load';
import { SlimNode, SlimPod } from '../kube/slim';
import { failureDomainResponseSchema } from '../api';

function verdicts(result: ReturnType<typeof analyseFailureDomain>) {
  return Object.fromEntries(result.services.map(s => [s.id, s.verdict]));
}

describe('analyseFailureDomain over the fixtures', () => {
  const hetzner = analyseFailureDomain({
    nodes,
    pods,
    registry,
    domain: { level: 'provider', name: 'hetzner' },
    volumeTopology: {
      'dns/pihole-hetzner-data': [
        {
          matchExpressions: [
            {
              key: 'csi.hetzner.cloud/location',
              operator: 'In',
              values: ['fsn1'],
            },
          ],
        },
      ],
    },
  });

  it('gives every service a verdict with reasons', () => {
    expect(hetzner.lostNodes).toEqual(['hz-ash-a', 'hz-fsn1-a', 'hz-nbg1-a']);
    expect(verdicts(hetzner)).toEqual({
      'dns/pihole': 'degraded',
      'monitoring/node-exporter': 'survives',
      'shop/api': 'survives',
      'shop/db': 'down',
      'shop/debug': 'down',
      'shop/web': 'survives',
    });
    expect(hetzner.summary).toEqual({ survives: 3, degraded: 1, down: 2 });
    expect(
      failureDomainResponseSchema.safeParse({
        domain: { level: 'provider', name: 'hetzner' },
        clusters: [{ cluster: 'lab', state: 'synced', ...hetzner }],
      }).success,
    ).toBe(true);
  });

  it('explains in words', () => {
    const byId = Object.fromEntries(hetzner.services.map(s => [s.id, s]));
    expect(byId['dns/pihole'].redundantPerProvider).toBe(true);
    expect(byId['dns/pihole'].reasons.join(' | ')).toMatch(
      /instance\(s\) on scaleway keep serving/,
    );
    expect(byId['shop/db'].reasons.join(' | ')).toMatch(
      /cannot be re-placed: nodeSelector topology.kubernetes.io\/region=nbg1/,
    );
    expect(byId['shop/debug'].reasons.join(' | ')).toMatch(/no controller/);
    expect(byId['shop/web']).toMatchObject({
      replicasBefore: 3,
      replicasAfter: 3,
      lost: 1,
      replaced: 1,
    });
    expect(byId['shop/api'].reasons.join(' | ')).toMatch(/re-placed on scw-/);
  });

  it('leaves services outside the domain untouched (must not fire)', () => {
    const zone = analyseFailureDomain({
      nodes,
      pods,
      registry,
      domain: { level: 'zone', name: 'fr-par-3' },
    });
    expect(zone.lostNodes).toEqual([]);
    expect(
      zone.services.every(
        s => s.verdict === 'survives' || s.id === 'shop/debug',
      ),
    ).toBe(true);
    expect(zone.services.every(s => !s.affected)).toBe(true);
  });

  it('keeps a volume-bound pod on its volume topology', () => {
    const region = analyseFailureDomain({
      nodes,
      pods: pods
        .filter(p => p.name.startsWith('pihole-scaleway'))
        .map(p => ({ ...p, intent: undefined })),
      registry,
      domain: { level: 'zone', name: 'fr-par-1' },
      volumeTopology: {
        'dns/pihole-scaleway-data': [
          {
            matchExpressions: [
              {
                key: 'topology.kubernetes.io/zone',
                operator: 'In',
                values: ['fr-par-1'],
              },
            ],
          },
        ],
      },
    });
    expect(region.services[0].verdict).toBe('down');
    expect(region.services[0].reasons.join()).toMatch(
      /volume of claim pihole-scaleway-data/,
    );
  });
});

const node = (name: string, provider: string, cpu: number): SlimNode => ({
  name,
  labels: {
    'cfke.io/provider': provider,
    'topology.kubernetes.io/zone': `${provider}-1`,
  },
  capacity: { cpuMillis: cpu, memoryBytes: 8e9, pods: 110 },
  allocatable: { cpuMillis: cpu, memoryBytes: 8e9, pods: 110 },
  ready: true,
});
const pod = (
  i: number,
  nodeName: string,
  cpu: number,
  pin?: string,
): SlimPod => ({
  name: `svc-${i}`,
  namespace: 'p',
  owner: { kind: 'Deployment', name: 'svc' },
  nodeName,
  phase: 'Running',
  requests: { cpuMillis: cpu, memoryBytes: 1e6 },
  ...(pin ? { intent: { nodeSelector: { 'cfke.io/provider': pin } } } : {}),
});

/** Runs a property; returns its failure and counterexample (both null when it holds). */
function check(property: fc.IProperty<any>) {
  const run = fc.check(property);
  return { failed: run.failed, counterexample: run.counterexample };
}
const HOLDS = { failed: false, counterexample: null };

describe('failure-domain properties', () => {
  const providers = ['hetzner', 'scaleway'];

  it('a service with replicas on two providers never reads "down" for the loss of one', () => {
    expect(
      check(
        fc.property(
          fc.integer({ min: 1, max: 5 }),
          fc.integer({ min: 1, max: 5 }),
          fc.integer({ min: 0, max: 4000 }),
          fc.constantFrom(...providers),
          fc.integer({ min: 1, max: 3 }),
          (onA, onB, cpu, lostProvider, nodesPer) => {
            const ns = providers.flatMap(p =>
              Array.from({ length: nodesPer }, (_, i) =>
                node(`${p}-${i}`, p, 64000),
              ),
            );
            const ps = [
              ...Array.from({ length: onA }, (_, i) =>
                pod(i, `hetzner-${i % nodesPer}`, cpu),
              ),
              ...Array.from({ length: onB }, (_, i) =>
                pod(100 + i, `scaleway-${i % nodesPer}`, cpu),
              ),
            ];
            const r = analyseFailureDomain({
              nodes: ns,
              pods: ps,
              registry,
              domain: { level: 'provider', name: lostProvider },
            });
            const v = r.services[0];
            // Plenty of capacity: every lost replica is re-placed.
            return v.verdict === 'survives' && v.replicasAfter === onA + onB;
          },
        ),
      ),
    ).toEqual(HOLDS);
  });

  it('still never reads "down" when capacity is short, only degraded at worst', () => {
    expect(
      check(
        fc.property(
          fc.integer({ min: 1, max: 6 }),
          fc.integer({ min: 1, max: 6 }),
          fc.integer({ min: 100, max: 3000 }),
          fc.integer({ min: 0, max: 4000 }),
          (onA, onB, cpu, spare) => {
            const ns = [
              node('hetzner-0', 'hetzner', 64000),
              node('scaleway-0', 'scaleway', onB * cpu + spare),
            ];
            const ps = [
              ...Array.from({ length: onA }, (_, i) =>
                pod(i, 'hetzner-0', cpu),
              ),
              ...Array.from({ length: onB }, (_, i) =>
                pod(100 + i, 'scaleway-0', cpu),
              ),
            ];
            const v = analyseFailureDomain({
              nodes: ns,
              pods: ps,
              registry,
              domain: { level: 'provider', name: 'hetzner' },
            }).services[0];
            const fits = Math.min(onA, Math.floor(spare / cpu));
            return v.verdict !== 'down' && v.replicasAfter === onB + fits;
          },
        ),
      ),
    ).toEqual(HOLDS);
  });

  it('a service entirely on the lost provider with no other eligible node reads "down"', () => {
    expect(
      check(
        fc.property(
          fc.integer({ min: 1, max: 8 }),
          fc.integer({ min: 0, max: 3 }),
          fc.boolean(),
          (replicas, otherNodes, pinned) => {
            const ns = [
              node('hetzner-0', 'hetzner', 64000),
              ...Array.from({ length: otherNodes }, (_, i) =>
                // Either pinned away, or with no room at all.
                node(`scaleway-${i}`, 'scaleway', pinned ? 64000 : 0),
              ),
            ];
            const ps = Array.from({ length: replicas }, (_, i) =>
              pod(i, 'hetzner-0', 500, pinned ? 'hetzner' : undefined),
            );
            const v = analyseFailureDomain({
              nodes: ns,
              pods: ps,
              registry,
              domain: { level: 'provider', name: 'hetzner' },
            }).services[0];
            return (
              v.verdict === 'down' &&
              v.replicasAfter === 0 &&
              v.reasons.length >= 2
            );
          },
        ),
      ),
    ).toEqual(HOLDS);
  });
});

describe('failure-domain re-placement honours pod anti-affinity and topology spread', () => {
  const HOST = 'kubernetes.io/hostname';
  const ZONE = 'topology.kubernetes.io/zone';
  const labelled = (
    name: string,
    provider: string,
    zone: string,
  ): SlimNode => ({
    ...node(name, provider, 64000),
    labels: { 'cfke.io/provider': provider, [ZONE]: zone, [HOST]: name },
  });
  const replica = (
    i: number,
    nodeName: string,
    intent: SlimPod['intent'],
  ): SlimPod => ({
    ...pod(i, nodeName, 100),
    labels: { app: 'svc' },
    intent,
  });
  const analyse = (ns: SlimNode[], ps: SlimPod[]) =>
    analyseFailureDomain({
      nodes: ns,
      pods: ps,
      registry,
      domain: { level: 'provider', name: 'hetzner' },
    }).services[0];

  it('one replica per node (required anti-affinity per hostname): never more replicas than surviving nodes', () => {
    expect(
      check(
        fc.property(
          fc.integer({ min: 1, max: 4 }),
          fc.integer({ min: 1, max: 4 }),
          fc.integer({ min: 0, max: 4 }),
          fc.integer({ min: 0, max: 4 }),
          (hetznerNodes, scalewayNodes, onA0, onB0) => {
            const onA = Math.min(onA0, hetznerNodes);
            const onB = Math.min(onB0, scalewayNodes);
            fc.pre(onA + onB > 0);
            const ns = [
              ...Array.from({ length: hetznerNodes }, (_, i) =>
                labelled(`hz-${i}`, 'hetzner', 'fsn1'),
              ),
              ...Array.from({ length: scalewayNodes }, (_, i) =>
                labelled(`scw-${i}`, 'scaleway', 'fr-par-1'),
              ),
            ];
            const intent = {
              podAntiAffinity: [
                {
                  topologyKey: HOST,
                  labelSelector: { matchLabels: { app: 'svc' } },
                },
              ],
            };
            const ps = [
              ...Array.from({ length: onA }, (_, i) =>
                replica(i, `hz-${i}`, intent),
              ),
              ...Array.from({ length: onB }, (_, i) =>
                replica(100 + i, `scw-${i}`, intent),
              ),
            ];
            const v = analyse(ns, ps);
            const expected = Math.min(onA + onB, scalewayNodes);
            const refused =
              onA > 0 && expected < onA + onB
                ? v.reasons.some(r =>
                    /anti-affinity per kubernetes.io\/hostname/.test(r),
                  )
                : true;
            return v.replicasAfter === expected && refused;
          },
        ),
      ),
    ).toEqual(HOLDS);
  });

  it("is refused by a neighbour's anti-affinity too (symmetric)", () => {
    const ns = [
      labelled('hz-0', 'hetzner', 'fsn1'),
      labelled('scw-0', 'scaleway', 'fr-par-1'),
    ];
    const guard: SlimPod = {
      ...pod(900, 'scw-0', 100),
      owner: { kind: 'Deployment', name: 'guard' },
      labels: { app: 'guard' },
      intent: {
        podAntiAffinity: [
          { topologyKey: HOST, labelSelector: { matchLabels: { app: 'svc' } } },
        ],
      },
    };
    const result = analyseFailureDomain({
      nodes: ns,
      pods: [replica(1, 'hz-0', undefined), guard],
      registry,
      domain: { level: 'provider', name: 'hetzner' },
    });
    const svc = result.services.find(s => s.name === 'svc')!;
    expect(svc.verdict).toBe('down');
    expect(svc.reasons.join(' | ')).toMatch(/pod anti-affinity of p\/svc-900/);
  });

  it('zone spread with DoNotSchedule: surviving zones take at most maxSkew over the emptied lost zones', () => {
    expect(
      check(
        fc.property(
          fc.integer({ min: 1, max: 3 }),
          fc.array(fc.integer({ min: 0, max: 3 }), {
            minLength: 1,
            maxLength: 3,
          }),
          fc.integer({ min: 1, max: 5 }),
          fc.constantFrom('DoNotSchedule', 'ScheduleAnyway'),
          (maxSkew, onScalewayZones, lostCount, whenUnsatisfiable) => {
            const zones = onScalewayZones.map((_, i) => `fr-par-${i + 1}`);
            const ns = [
              labelled('hz-0', 'hetzner', 'fsn1'),
              ...zones.map((z, i) => labelled(`scw-${i}`, 'scaleway', z)),
            ];
            const intent = {
              topologySpread: [
                {
                  topologyKey: ZONE,
                  maxSkew,
                  whenUnsatisfiable,
                  labelSelector: { matchLabels: { app: 'svc' } },
                },
              ],
            };
            let i = 0;
            const ps = [
              ...Array.from({ length: lostCount }, () =>
                replica(i++, 'hz-0', intent),
              ),
              ...onScalewayZones.flatMap((count, z) =>
                Array.from({ length: count }, () =>
                  replica(i++, `scw-${z}`, intent),
                ),
              ),
            ];
            const survivors = onScalewayZones.reduce((a, b) => a + b, 0);
            const v = analyse(ns, ps);
            // The lost zone fsn1 stays a domain with 0 matching pods, so each surviving zone
            // may grow only up to maxSkew (ScheduleAnyway: no limit).
            const room =
              whenUnsatisfiable === 'DoNotSchedule'
                ? onScalewayZones.reduce(
                    (n, c) => n + Math.max(0, maxSkew - c),
                    0,
                  )
                : Infinity;
            return v.replicasAfter === survivors + Math.min(lostCount, room);
          },
        ),
      ),
    ).toEqual(HOLDS);
  });

  it('spread over providers with nodeTaintsPolicy Honor: the lost provider stops counting, unless its unreachable taint is tolerated', () => {
    expect(
      check(
        fc.property(
          fc.integer({ min: 1, max: 3 }),
          fc.integer({ min: 1, max: 3 }),
          fc.constantFrom('Honor', 'Ignore', undefined),
          fc.boolean(),
          (onHetzner, onScaleway, nodeTaintsPolicy, toleratesUnreachable) => {
            const PROVIDER = 'cfke.io/provider';
            const ns = [
              labelled('hz-0', 'hetzner', 'fsn1'),
              labelled('scw-0', 'scaleway', 'fr-par-1'),
            ];
            const intent: SlimPod['intent'] = {
              topologySpread: [
                {
                  topologyKey: PROVIDER,
                  maxSkew: 1,
                  whenUnsatisfiable: 'DoNotSchedule',
                  labelSelector: { matchLabels: { app: 'svc' } },
                  ...(nodeTaintsPolicy ? { nodeTaintsPolicy } : {}),
                },
              ],
              ...(toleratesUnreachable
                ? {
                    tolerations: [
                      {
                        key: 'node.kubernetes.io/unreachable',
                        operator: 'Exists',
                      },
                    ],
                  }
                : {}),
            };
            let i = 0;
            const ps = [
              ...Array.from({ length: onHetzner }, () =>
                replica(i++, 'hz-0', intent),
              ),
              ...Array.from({ length: onScaleway }, () =>
                replica(i++, 'scw-0', intent),
              ),
            ];
            const v = analyse(ns, ps);
            // Counted, the emptied hetzner domain (0) already trails scaleway (>= 1) by
            // maxSkew: nothing moves. Not counted, scaleway is the only domain and takes all.
            const counted =
              nodeTaintsPolicy !== 'Honor' || toleratesUnreachable;
            const expected = counted ? onScaleway : onHetzner + onScaleway;
            return (
              v.replicasAfter === expected &&
              (v.verdict === 'survives') ===
                (expected === onHetzner + onScaleway)
            );
          },
        ),
      ),
    ).toEqual(HOLDS);
  });
});
