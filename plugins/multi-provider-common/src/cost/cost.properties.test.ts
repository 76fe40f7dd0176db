import fc from 'fast-check';
import { ClusterCost } from '../api/cost';
import { describeNodes } from '../placement/nodeInfo';
import { ProviderRegistry } from '../registry/createProviderRegistry';
import { SlimStorageClass } from '../storage/slim';
import { buildClusterCost } from './clusterCost';
import { node, pod, testRegistry } from './testRegistry';

const TYPES = [
  { provider: 'alpha', region: 'alpha-r1', type: 'a-small', cpu: 2, mem: 4 },
  { provider: 'alpha', region: 'alpha-r2', type: 'a-large', cpu: 4, mem: 8 },
  { provider: 'beta', region: 'beta-r1', type: 'b-small', cpu: 2, mem: 2 },
  { provider: 'beta', region: 'beta-r2', type: 'b-large', cpu: 8, mem: 32 },
  // Not in any table: an unknown price.
  { provider: 'beta', region: 'beta-r1', type: 'b-unpriced', cpu: 4, mem: 4 },
];

const cluster = fc
  .record({
    nodeTypes: fc.array(fc.integer({ min: 0, max: TYPES.length - 1 }), {
      minLength: 1,
      maxLength: 8,
    }),
    pods: fc.array(
      fc.record({
        node: fc.nat(),
        workload: fc.integer({ min: 0, max: 5 }),
        cpu: fc.integer({ min: 0, max: 9000 }),
        memGiB: fc.integer({ min: 0, max: 40 }),
        scheduled: fc.boolean(),
      }),
      { maxLength: 40 },
    ),
  })
  .map(({ nodeTypes, pods }) => ({
    nodes: nodeTypes.map((t, i) => {
      const d = TYPES[t];
      return node(`n${i}`, d.provider, d.region, d.type, d.cpu, d.mem);
    }),
    pods: pods.map((p, i) =>
      pod(
        `p${i}`,
        `w${p.workload}`,
        p.scheduled ? `n${p.node % nodeTypes.length}` : undefined,
        p.cpu,
        p.memGiB,
      ),
    ),
  }));

type Cluster = {
  nodes: ReturnType<typeof node>[];
  pods: ReturnType<typeof pod>[];
};

function costOf(c: Cluster, registry: ProviderRegistry = testRegistry()) {
  return buildClusterCost({
    nodes: describeNodes(c.nodes, registry),
    pods: c.pods,
    claims: [],
    volumes: new Map(),
    storageClasses: new Map<string, SlimStorageClass>(),
    registry,
    now: new Date('2026-02-01T00:00:00Z'),
    maxPriceAgeMs: Number.MAX_SAFE_INTEGER,
  });
}

const close = (a: number, b: number) =>
  Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));

/** The figures, rounded so summation order does not show. */
function figures(out: Omit<ClusterCost, 'cluster' | 'state'>) {
  const r = (x: number) => Math.round(x * 1e6) / 1e6;
  return {
    nodes: out.nodes.map(n => [
      n.name,
      r(n.monthly),
      r(n.used),
      r(n.idle),
      n.unknownNodes,
    ]),
    services: out.services.map(s => [
      s.id,
      r(s.monthly),
      s.pods,
      s.unknownPods,
    ]),
    providers: out.providers.map(p => [p.provider, r(p.monthly), r(p.idle)]),
    zones: out.zones.map(z => [z.zone, r(z.monthly)]),
  };
}

describe('cost properties', () => {
  it('services plus idle add up to the priced nodes, for the total and per provider', () => {
    fc.assert(
      fc.property(cluster, c => {
        const out = costOf(c);
        const services = out.services.reduce((a, s) => a + s.monthly, 0);
        expect(close(services + out.total.idle, out.total.monthly)).toBe(true);
        for (const p of out.providers) {
          const inProvider = out.services.reduce(
            (a, s) => a + (s.byProvider[p.provider] ?? 0),
            0,
          );
          expect(close(inProvider + p.idle, p.monthly)).toBe(true);
        }
      }),
    );
  });

  it('never gives a negative figure', () => {
    fc.assert(
      fc.property(cluster, c => {
        const out = costOf(c);
        const all = [
          out.total,
          ...out.nodes,
          ...out.providers,
          ...out.regions,
          ...out.zones,
        ].flatMap(n => [n.monthly, n.used, n.idle]);
        all.push(...out.services.map(s => s.monthly));
        expect(all.every(x => x >= 0)).toBe(true);
      }),
    );
  });

  it('is unchanged by reordering nodes and pods', () => {
    fc.assert(
      fc.property(cluster, fc.nat(), fc.nat(), (c, a, b) => {
        const rotate = <T>(xs: T[], by: number) =>
          xs.length
            ? [
                ...xs.slice(by % xs.length),
                ...xs.slice(0, by % xs.length),
              ].reverse()
            : xs;
        const shuffled = { nodes: rotate(c.nodes, a), pods: rotate(c.pods, b) };
        expect(figures(costOf(shuffled))).toEqual(figures(costOf(c)));
      }),
    );
  });

  it('a price change moves only the figures of nodes of that type and of pods on them', () => {
    fc.assert(
      fc.property(
        cluster,
        fc.integer({ min: 0, max: 3 }),
        fc.double({ min: 0, max: 500, noNaN: true }),
        (c, which, price) => {
          const before = costOf(c);
          const registry = testRegistry();
          const changed = TYPES[which];
          const row = registry.providers
            .find(p => p.name === changed.provider)!
            .prices!.serverTypes.find(t => t.name === changed.type)!;
          row.monthly = price;
          const after = costOf(c, registry);
          const usesType = new Set(
            after.nodes
              .filter(n => n.serverType === changed.type)
              .map(n => n.name),
          );
          const untouched = <T extends { name: string }>(
            rows: T[],
            uses: (row: T) => boolean,
          ) => rows.filter(r => !uses(r));
          const nodeUses = (n: { name: string }) => usesType.has(n.name);
          expect(untouched(after.nodes, nodeUses)).toEqual(
            untouched(before.nodes, nodeUses),
          );
          expect(after.nodes.filter(nodeUses).map(n => n.monthly)).toEqual(
            after.nodes.filter(nodeUses).map(() => price),
          );
          const serviceUses = (s: { id: string }) =>
            c.pods.some(
              p =>
                !!p.nodeName &&
                usesType.has(p.nodeName) &&
                `${p.namespace}/${p.owner!.name}` === s.id,
            );
          expect(untouched(after.services, serviceUses)).toEqual(
            untouched(before.services, serviceUses),
          );
        },
      ),
    );
  });
});
