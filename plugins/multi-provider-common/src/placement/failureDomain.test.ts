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
