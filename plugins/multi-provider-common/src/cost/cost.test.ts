import { describeNodes } from '../placement/nodeInfo';
import { SlimPV, SlimPVC, SlimStorageClass } from '../storage/slim';
import { buildClusterCost } from './clusterCost';
import { priceOfNode } from './nodePrice';
import { stalePriceTables } from './priceAge';
import { allowedRegions, cheapestAlternative } from './whatIf';
import { node, pod, testRegistry } from './testRegistry';

const DAY = 24 * 60 * 60 * 1000;
const now = new Date('2026-03-01T00:00:00Z');

function cost(
  nodes: ReturnType<typeof node>[],
  pods: ReturnType<typeof pod>[],
  claims: SlimPVC[] = [],
  volumes: SlimPV[] = [],
  maxPriceAgeMs = 365 * DAY,
) {
  const registry = testRegistry();
  return buildClusterCost({
    nodes: describeNodes(nodes, registry),
    pods,
    claims,
    volumes: new Map(volumes.map(v => [v.metadata.name, v])),
    storageClasses: new Map<string, SlimStorageClass>(),
    registry,
    now,
    maxPriceAgeMs,
  });
}

describe('buildClusterCost', () => {
  it('splits a node by the mean of the CPU and memory fractions, idle apart', () => {
    // a-large: 6.80 a month, 4 vCPU, 8 GiB.
    // web: 1 vCPU (1/4) and 2 GiB (2/8) -> 0.25 of 6.80 = 1.70
    // db: 2 vCPU (2/4) and 1 GiB (1/8) -> (0.5 + 0.125) / 2 = 0.3125 of 6.80 = 2.125
    // idle: 6.80 - 1.70 - 2.125 = 2.975
    const out = cost(
      [node('n1', 'alpha', 'alpha-r1', 'a-large', 4, 8)],
      [pod('web-1', 'web', 'n1', 1000, 2), pod('db-1', 'db', 'n1', 2000, 1)],
    );
    expect(out.currency).toBe('EUR');
    const [n1] = out.nodes;
    expect(n1).toMatchObject({ serverType: 'a-large', monthly: 6.8, pods: 2 });
    expect(n1.idle).toBeCloseTo(2.975, 10);
    const svc = Object.fromEntries(out.services.map(s => [s.name, s.monthly]));
    expect(svc.web).toBeCloseTo(1.7, 10);
    expect(svc.db).toBeCloseTo(2.125, 10);
    expect(out.total).toMatchObject({
      nodes: 1,
      unknownNodes: 0,
      monthly: 6.8,
    });
    expect(out.stale).toEqual([]);
  });

  it('scales shares down when requests add up to more than the node', () => {
    // Two pods each asking for the whole node: each takes half, nothing idle.
    const out = cost(
      [node('n1', 'alpha', 'alpha-r1', 'a-small', 2, 4)],
      [pod('a-1', 'a', 'n1', 2000, 4), pod('b-1', 'b', 'n1', 2000, 4)],
    );
    expect(out.services.map(s => s.monthly)).toEqual([2, 2]);
    expect(out.nodes[0].idle).toBe(0);
  });

  it('gives an unknown price, never zero, for a type missing from the table', () => {
    const out = cost(
      [
        node('n1', 'alpha', 'alpha-r1', 'a-small', 2, 4),
        node('n2', 'alpha', 'alpha-r1', 'a-huge', 64, 256),
      ],
      [pod('web-1', 'web', 'n1', 1000, 2), pod('web-2', 'web', 'n2', 1000, 2)],
    );
    const n2 = out.nodes.find(n => n.name === 'n2')!;
    expect(n2).toMatchObject({ unknownNodes: 1, monthly: 0, used: 0, idle: 0 });
    expect(n2.unknownReason).toBe("a-huge is not in alpha's price table");
    expect(out.services[0]).toMatchObject({ pods: 2, unknownPods: 1 });
    expect(out.services[0].monthly).toBeCloseTo(2, 10);
    expect(out.total).toMatchObject({ nodes: 2, unknownNodes: 1, monthly: 4 });
  });

  it('counts pending and finished pods in no figure', () => {
    const finished = {
      ...pod('job-1', 'job', 'n1', 2000, 4),
      phase: 'Succeeded',
    };
    const out = cost(
      [node('n1', 'alpha', 'alpha-r1', 'a-small', 2, 4)],
      [pod('web-1', 'web', undefined, 1000, 2), finished],
    );
    expect(out.nodes[0].idle).toBe(4);
    expect(out.services.every(s => s.monthly === 0 && s.pods === 0)).toBe(true);
  });

  it('sums per provider, region and zone', () => {
    const out = cost(
      [
        node('n1', 'alpha', 'alpha-r1', 'a-small', 2, 4),
        node('n2', 'alpha', 'alpha-r2', 'a-large', 4, 8),
        node('n3', 'beta', 'beta-r1', 'b-small', 2, 2),
      ],
      [],
    );
    expect(out.providers.map(p => [p.provider, p.monthly])).toEqual([
      ['alpha', 10.8],
      ['beta', 6.42],
    ]);
    expect(out.regions.map(r => `${r.provider}/${r.region}`)).toEqual([
      'alpha/alpha-r1',
      'alpha/alpha-r2',
      'beta/beta-r1',
    ]);
    expect(out.zones).toHaveLength(3);
  });

  it('prices a claim by its bound size raised to the provider minimum, whole GiB', () => {
    const claim = (
      name: string,
      size: string,
      volumeName?: string,
    ): SlimPVC => ({
      metadata: { name, namespace: 'apps' },
      spec: {
        storageClassName: 'alpha-volumes',
        resources: { requests: { storage: size } },
        ...(volumeName ? { volumeName } : {}),
      },
      status: { phase: volumeName ? 'Bound' : 'Pending' },
    });
    const pv: SlimPV = {
      metadata: { name: 'pv-1' },
      spec: { capacity: '20.5Gi', csi: { driver: 'csi.alpha.example' } },
      status: { phase: 'Bound' },
    };
    const out = cost(
      [],
      [],
      [
        claim('small', '1Gi'),
        claim('bound', '20Gi', 'pv-1'),
        { ...claim('other', '5Gi'), spec: { storageClassName: 'nfs' } },
      ],
      [pv],
    );
    const byName = Object.fromEntries(out.claims.map(c => [c.name, c]));
    // 1 GiB is raised to the 10 GiB minimum: 10 x 0.05.
    expect(byName.small).toMatchObject({ billedGiB: 10, monthly: 0.5 });
    // The bound volume's 20.5 GiB, rounded up to 21 whole GiB: 21 x 0.05.
    expect(byName.bound.billedGiB).toBe(21);
    expect(byName.bound.monthly).toBeCloseTo(1.05, 10);
    expect(byName.other).toMatchObject({ monthly: null, provider: null });
    expect(
      out.storageClasses.find(c => c.storageClassName === 'alpha-volumes'),
    ).toMatchObject({ claims: 2, unknownClaims: 0, billedGiB: 31 });
  });

  it('warns in the answer when a table is older than the allowed age', () => {
    const out = cost([], [], [], [], 30 * DAY);
    expect(out.stale.map(s => s.provider)).toEqual(['alpha', 'beta']);
    expect(out.stale[0]).toMatchObject({ readOn: '2026-01-01', ageDays: 59 });
  });
});

describe('priceOfNode', () => {
  it('names each missing link', () => {
    const registry = testRegistry();
    const infos = describeNodes(
      [
        node('wrong-region', 'alpha', 'beta-r1', 'a-small', 2, 4),
        node('other', 'gamma', 'g1', 'x', 1, 1),
        {
          ...node('untyped', 'alpha', 'alpha-r1', 'a-small', 2, 4),
          labels: { 'cfke.io/provider': 'alpha' },
        },
        node('case', 'beta', 'beta-r1', 'B-SMALL', 2, 2),
      ],
      registry,
    );
    const reason = (n: string) => priceOfNode(infos.get(n)!, registry, 'EUR');
    expect(reason('wrong-region')).toMatchObject({
      known: false,
      reason: 'a-small has no price for region beta-r1',
    });
    expect(reason('other')).toMatchObject({
      known: false,
      reason: 'no price table for provider unknown',
    });
    expect(reason('untyped')).toEqual({
      known: false,
      reason: 'the node names no server type',
    });
    expect(reason('case')).toEqual({
      known: true,
      serverType: 'b-small',
      monthly: 6.42,
    });
    expect(priceOfNode(infos.get('case')!, registry, 'USD')).toMatchObject({
      known: false,
      reason: 'beta is priced in EUR',
    });
  });
});

describe('stalePriceTables', () => {
  it('does not warn on the day the age is reached, and does the day after', () => {
    const registry = testRegistry();
    const read = Date.parse('2026-01-01T00:00:00Z');
    expect(
      stalePriceTables(registry, new Date(read + 10 * DAY), 10 * DAY),
    ).toEqual([]);
    expect(
      stalePriceTables(registry, new Date(read + 11 * DAY), 10 * DAY),
    ).toHaveLength(2);
  });
});

describe('cheapestAlternative', () => {
  const [alpha, beta] = testRegistry().providers;

  it('picks the type with the lowest share for the replicas', () => {
    // 1 vCPU, 1 GiB x 2 replicas. a-small: (1/2 + 1/4)/2 x 4 = 1.5 each; a-large:
    // (1/4 + 1/8)/2 x 6.8 = 1.275 each -> a-large, 2.55.
    const alt = cheapestAlternative(
      alpha,
      { cpuMillis: 1000, memoryBytes: 1024 ** 3 },
      2,
      undefined,
    );
    expect(alt).toMatchObject({ fits: true, serverType: 'a-large' });
    expect(alt.fits && alt.monthly).toBeCloseTo(2.55, 10);
  });

  it('skips types too small for one replica and regions the workload does not allow', () => {
    const big = { cpuMillis: 3000, memoryBytes: 3 * 1024 ** 3 };
    expect(cheapestAlternative(beta, big, 1, undefined)).toMatchObject({
      fits: true,
      serverType: 'b-large',
    });
    expect(cheapestAlternative(beta, big, 1, new Set(['alpha-r1']))).toEqual({
      provider: 'beta',
      fits: false,
      reason: 'no server type fits the requests in alpha-r1',
    });
  });

  it('reads allowed regions from the node selector and from terms that all restrict', () => {
    const key = 'topology.kubernetes.io/region';
    expect(allowedRegions(undefined)).toBeUndefined();
    expect(allowedRegions({ nodeSelector: { [key]: 'r1' } })).toEqual(
      new Set(['r1']),
    );
    expect(
      allowedRegions({
        requiredTerms: [
          { matchExpressions: [{ key, operator: 'In', values: ['r1'] }] },
          {
            matchExpressions: [{ key: 'other', operator: 'In', values: ['x'] }],
          },
        ],
      }),
    ).toBeUndefined();
    expect(
      allowedRegions({
        requiredTerms: [
          { matchExpressions: [{ key, operator: 'In', values: ['r1'] }] },
          { matchExpressions: [{ key, operator: 'In', values: ['r2'] }] },
        ],
      }),
    ).toEqual(new Set(['r1', 'r2']));
  });
});
