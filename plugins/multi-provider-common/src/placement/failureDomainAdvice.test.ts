import fc from 'fast-check';
import { failureDomainAdviceResponseSchema } from '../api/advice';
import { SlimPod } from '../kube/slim';
import { node, pod, testRegistry } from '../cost/testRegistry';
import { nodeAndPodCosts, podSetCost } from '../cost/nodeCost';
import { claimCosts } from '../cost/storageCost';
import { analyseFailureDomain } from './failureDomain';
import { adviseFailureDomain, applyAdviceChange } from './failureDomainAdvice';
import { describeNodes } from './nodeInfo';
import { groupServices, workloadKey } from './services';

const registry = testRegistry();

function pinned(p: SlimPod, provider: string): SlimPod {
  return { ...p, intent: { nodeSelector: { 'cfke.io/provider': provider } } };
}

function statefulSet(p: SlimPod, claim: string): SlimPod {
  return { ...p, owner: { kind: 'StatefulSet', name: 'db' }, claims: [claim] };
}

describe('adviseFailureDomain', () => {
  const nodes = [
    node('a1', 'alpha', 'alpha-r1', 'a-large', 4, 8),
    node('b1', 'beta', 'beta-r2', 'b-large', 8, 32),
  ];
  const pods = [
    pinned(pod('web-1', 'web', 'a1', 500, 1), 'alpha'),
    pinned(pod('web-2', 'web', 'a1', 500, 1), 'alpha'),
    pinned(statefulSet(pod('db-0', 'db', 'a1', 500, 1), 'data-db-0'), 'alpha'),
    pod('free-1', 'free', 'b1', 100, 1),
  ];
  const volumeTopology = {
    'apps/data-db-0': [
      {
        matchExpressions: [
          {
            key: 'topology.kubernetes.io/region',
            operator: 'In',
            values: ['alpha-r1'],
          },
        ],
      },
    ],
  };
  const claims = [
    {
      metadata: { name: 'data-db-0', namespace: 'apps' },
      spec: {
        storageClassName: 'alpha-volumes',
        resources: { requests: { storage: '20Gi' } },
      },
      status: { phase: 'Bound' },
    },
  ];
  const answer = adviseFailureDomain({
    nodes,
    pods,
    registry,
    volumeTopology,
    claims,
    domain: { level: 'provider', name: 'alpha' },
  });
  const byId = Object.fromEntries(answer.services.map(s => [s.id, s]));

  it('advises only on services that do not survive, in the response schema', () => {
    expect(Object.keys(byId).sort()).toEqual(['apps/db', 'apps/web']);
    expect(answer.currency).toBe('EUR');
    expect(
      failureDomainAdviceResponseSchema.safeParse({
        domain: { level: 'provider', name: 'alpha' },
        clusters: [{ cluster: 'lab', state: 'synced', ...answer }],
      }).success,
    ).toBe(true);
  });

  it('lifts the pin of a stateless workload: it survives at no extra cost', () => {
    const web = byId['apps/web'];
    expect(web.verdict).toBe('down');
    expect(web.survives).toBe(true);
    expect(web.advice).toMatchObject({
      kind: 'spread',
      verdict: 'survives',
      monthlyDelta: 0,
      replicasBefore: 2,
      replicasAfter: 2,
    });
    expect(web.advice?.template).toBeUndefined();
    // The extra instance on beta was weighed and reads degraded: its pinned twin is still lost.
    const extra = web.candidates.find(c => c.kind === 'extra-replica');
    expect(extra).toMatchObject({
      provider: 'beta',
      node: 'b1',
      verdict: 'degraded',
      replicasBefore: 4,
      replicasAfter: 2,
      template: {
        name: 'provider-workload',
        formData: { name: 'web', providers: ['alpha', 'beta'], replicas: 2 },
      },
    });
    // Hand computation: two replicas of 500m / 1Gi on a b-large (8 vCPU, 32 GiB, 159.87 a month).
    const weight = (0.5 / 8 + 1 / 32) / 2;
    expect(extra?.monthlyDelta).toBeCloseTo(2 * weight * 159.87, 9);
  });

  it('gives a stateful service a second instance with its own volume, and says it does not survive', () => {
    const db = byId['apps/db'];
    expect(db.verdict).toBe('down');
    expect(db.survives).toBe(false);
    expect(db.advice).toMatchObject({
      kind: 'second-instance',
      provider: 'beta',
      storageClass: 'beta-volumes',
      size: '20Gi',
      verdict: 'degraded',
      template: {
        name: 'stateful-workload',
        formData: {
          name: 'db',
          kind: 'StatefulSet',
          providers: ['alpha', 'beta'],
          size: '20Gi',
        },
      },
    });
    const weight = (0.5 / 8 + 1 / 32) / 2;
    // The pod's share of b1 plus 20 GiB at 0.05 a GiB-month.
    expect(db.advice?.monthlyDelta).toBeCloseTo(weight * 159.87 + 20 * 0.05, 9);
    expect(db.note).toMatch(/no change weighed makes it survive/);
  });

  it('names the services asked for only', () => {
    const only = adviseFailureDomain({
      nodes,
      pods,
      registry,
      volumeTopology,
      domain: { level: 'provider', name: 'alpha' },
      services: ['apps/db'],
    });
    expect(only.services.map(s => s.id)).toEqual(['apps/db']);
  });

  it('finds nothing to add where no node of the other provider has room (must not invent one)', () => {
    const small = [
      node('a1', 'alpha', 'alpha-r1', 'a-large', 4, 8),
      node('b1', 'beta', 'beta-r1', 'b-small', 2, 2),
    ];
    const heavy = [
      pinned(
        statefulSet(pod('db-0', 'db', 'a1', 3000, 4), 'data-db-0'),
        'alpha',
      ),
    ];
    const out = adviseFailureDomain({
      nodes: small,
      pods: heavy,
      registry,
      volumeTopology,
      domain: { level: 'provider', name: 'alpha' },
    });
    expect(out.services[0]).toMatchObject({ advice: null, survives: false });
    expect(out.services[0].note).toMatch(/no surviving node of beta has room/);
  });
});

const TYPES = [
  { provider: 'alpha', region: 'alpha-r1', type: 'a-large', cpu: 4, mem: 8 },
  { provider: 'alpha', region: 'alpha-r2', type: 'a-small', cpu: 2, mem: 4 },
  { provider: 'beta', region: 'beta-r1', type: 'b-small', cpu: 2, mem: 2 },
  { provider: 'beta', region: 'beta-r2', type: 'b-large', cpu: 8, mem: 32 },
];

const cluster = fc
  .record({
    nodeTypes: fc.array(fc.integer({ min: 0, max: TYPES.length - 1 }), {
      minLength: 2,
      maxLength: 6,
    }),
    workloads: fc.array(
      fc.record({
        replicas: fc.integer({ min: 1, max: 3 }),
        cpu: fc.integer({ min: 0, max: 2500 }),
        memGiB: fc.integer({ min: 0, max: 6 }),
        pin: fc.constantFrom(undefined, 'alpha', 'beta'),
        stateful: fc.boolean(),
        node: fc.nat(),
      }),
      { minLength: 1, maxLength: 6 },
    ),
    domain: fc.constantFrom('alpha', 'beta'),
  })
  .map(({ nodeTypes, workloads, domain }) => {
    const nodes = nodeTypes.map((t, i) => {
      const d = TYPES[t];
      return node(`n${i}`, d.provider, d.region, d.type, d.cpu, d.mem);
    });
    const pods: SlimPod[] = [];
    const volumeTopology: Record<string, any> = {};
    workloads.forEach((w, wi) => {
      // Every replica of a workload on one node (of its pinned provider when pinned).
      const allowed = nodes.filter(
        n => !w.pin || n.labels['cfke.io/provider'] === w.pin,
      );
      if (allowed.length === 0) return;
      const at = allowed[w.node % allowed.length];
      for (let r = 0; r < w.replicas; r++) {
        let p = pod(`w${wi}-${r}`, `w${wi}`, at.name, w.cpu, w.memGiB);
        if (w.pin) p = pinned(p, w.pin);
        if (w.stateful) {
          const claim = `data-w${wi}-${r}`;
          p = {
            ...p,
            owner: { kind: 'StatefulSet', name: `w${wi}` },
            claims: [claim],
          };
          volumeTopology[`apps/${claim}`] = [
            {
              matchExpressions: [
                {
                  key: 'topology.kubernetes.io/region',
                  operator: 'In',
                  values: [at.labels['topology.kubernetes.io/region']],
                },
              ],
            },
          ];
        }
        pods.push(p);
      }
    });
    return { nodes, pods, volumeTopology, domain };
  });

describe('adviseFailureDomain properties', () => {
  it('every candidate reads what the same analysis reads on the changed model; the advice is the cheapest that survives; deltas are the cost model figures', () => {
    fc.assert(
      fc.property(cluster, c => {
        const domain = { level: 'provider' as const, name: c.domain };
        const infos = describeNodes(c.nodes, registry);
        const base = {
          nodes: infos,
          pods: c.pods,
          registry,
          volumeTopology: c.volumeTopology,
        };
        const out = adviseFailureDomain({ ...base, domain });
        const before = analyseFailureDomain({ ...base, domain });
        // Advice for exactly the services that do not survive.
        expect(out.services.map(s => s.id).sort()).toEqual(
          before.services
            .filter(s => s.verdict !== 'survives')
            .map(s => s.id)
            .sort(),
        );
        const costsBefore = nodeAndPodCosts(infos, c.pods, registry, 'EUR');
        for (const s of out.services) {
          for (const change of s.candidates) {
            const model = applyAdviceChange(base, change);
            const after = analyseFailureDomain({
              nodes: infos,
              pods: model.pods,
              registry,
              domain,
              volumeTopology: model.volumeTopology,
            });
            const key = `${change.namespace}/${change.workload.kind}/${change.workload.name}`;
            const service = groupServices(model.pods, registry).find(g =>
              g.pods.some(p => workloadKey(p) === key),
            )!;
            const verdict = after.services.find(v => v.id === service.id)!;
            expect(change.verdict).toBe(verdict.verdict);
            // Deltas: never negative; the added objects' figures from the cost model.
            expect(change.monthlyDelta).not.toBeNull();
            expect(change.monthlyDelta!).toBeGreaterThanOrEqual(-1e-9);
            const costsAfter = nodeAndPodCosts(
              infos,
              model.pods,
              registry,
              'EUR',
            );
            const added =
              podSetCost(model.addedPods, costsAfter.pods).monthly +
              claimCosts(
                model.addedClaims,
                new Map(),
                new Map(),
                registry,
                'EUR',
              ).reduce((sum, x) => sum + x.monthly!, 0);
            // A spread adds nothing, so its delta is 0.
            expect(model.addedPods.length === 0).toBe(change.kind === 'spread');
            expect(change.monthlyDelta!).toBeCloseTo(added, 6);
            // The service's other pods keep their shares.
            const original = groupServices(c.pods, registry).find(
              g => g.id === s.id,
            )!;
            expect(
              podSetCost(original.pods, costsAfter.pods).monthly,
            ).toBeCloseTo(
              podSetCost(original.pods, costsBefore.pods).monthly,
              6,
            );
          }
          // The advice: a surviving candidate whenever there is one, and the cheapest of them.
          const surviving = s.candidates.filter(x => x.verdict === 'survives');
          expect(s.survives).toBe(surviving.length > 0);
          expect(s.advice?.verdict === 'survives').toBe(surviving.length > 0);
          const cheapest = Math.min(...surviving.map(x => x.monthlyDelta!));
          expect(
            surviving.length === 0 || s.advice!.monthlyDelta! <= cheapest,
          ).toBe(true);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('does not depend on the order of the pods', () => {
    fc.assert(
      fc.property(cluster, c => {
        const domain = { level: 'provider' as const, name: c.domain };
        const input = {
          nodes: c.nodes,
          pods: c.pods,
          registry,
          volumeTopology: c.volumeTopology,
          domain,
        };
        const a = adviseFailureDomain(input);
        const b = adviseFailureDomain({
          ...input,
          pods: [...c.pods].reverse(),
        });
        const view = (x: typeof a) =>
          x.services.map(s => ({
            id: s.id,
            kind: s.advice?.kind,
            verdict: s.advice?.verdict,
            delta: s.advice?.monthlyDelta?.toFixed(6),
          }));
        expect(view(b)).toEqual(view(a));
      }),
      { numRuns: 60 },
    );
  });
});

describe('adviseFailureDomain over the repository fixtures', () => {
  it('explains that the Pi-hole pattern already has an instance per provider', async () => {
    const fixtures = await import('../__fixtures__/load');
    const out = adviseFailureDomain({
      nodes: fixtures.nodes,
      pods: fixtures.pods,
      registry: fixtures.registry,
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
    const pihole = out.services.find(s => s.id === 'dns/pihole')!;
    expect(pihole).toMatchObject({ verdict: 'degraded', survives: false });
    expect(pihole.note).toMatch(/already one instance per provider/);
    // shop/db is a StatefulSet pinned to region nbg1: its volume stays there, so the advice is a
    // second instance on scaleway, which the analysis reads as degraded (one of two lost).
    const db = out.services.find(s => s.id === 'shop/db')!;
    expect(db.advice).toMatchObject({
      kind: 'second-instance',
      homeProvider: 'hetzner',
      provider: 'scaleway',
      verdict: 'degraded',
    });
    expect(db.candidates.some(c => c.kind === 'spread')).toBe(false);
    // The fixture registry has no price table: the delta is unknown, never zero.
    expect(db.advice?.monthlyDelta).toBeNull();
    expect(db.advice?.unknownReason).toBe('no provider has a price table');
    const debug = out.services.find(s => s.id === 'shop/debug')!;
    expect(debug.note).toMatch(/pod without a controller/);
  });
});
