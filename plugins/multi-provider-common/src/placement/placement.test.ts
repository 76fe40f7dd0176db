import { buildClusterPlacement } from './entityPlacement';
import { buildPlatformPlacement } from './platformSummary';
import { groupServices } from './services';
import { nodes, pods, registry } from '../__fixtures__/load';
import {
  PlacementPod,
  entityPlacementResponseSchema,
  platformPlacementResponseSchema,
} from '../api';
import { slimPod } from '../kube/slim';

function flatPods(result: ReturnType<typeof buildClusterPlacement>) {
  const out: PlacementPod[] = [];
  for (const p of result.providers)
    for (const r of p.regions)
      for (const z of r.zones) for (const n of z.nodes) out.push(...n.pods);
  return out;
}

describe('buildClusterPlacement', () => {
  const shop = pods.filter(p => p.namespace === 'shop');
  const result = buildClusterPlacement({
    pods: shop,
    nodes,
    registry,
    namespacePins: { shop: 'scaleway' },
  });
  const byName = Object.fromEntries(flatPods(result).map(p => [p.name, p]));

  it('groups provider → region → zone → node and validates against the API schema', () => {
    expect(result.providers.map(p => p.name)).toEqual(['hetzner', 'scaleway']);
    const hetzner = result.providers[0];
    expect(hetzner.regions.map(r => [r.name, r.eu])).toEqual([
      ['ash', false],
      ['fsn1', true],
      ['nbg1', true],
    ]);
    expect(
      entityPlacementResponseSchema.safeParse({
        entityRef: 'component:default/web',
        clusters: [{ cluster: 'lab', state: 'synced', ...result }],
      }).success,
    ).toBe(true);
  });

  it('lists Pending pods with the scheduler reason', () => {
    expect(result.unscheduled.map(p => [p.name, p.intentStatus])).toEqual([
      ['web-7c4b9-ddddd', 'pending'],
    ]);
    expect(result.unscheduled[0].reasons[0]).toMatch(/Insufficient cpu/);
  });

  it('flags a required affinity the node does not satisfy as violated', () => {
    expect(byName['api-6f7d8-yyyyy'].intentStatus).toBe('violated');
    expect(byName['api-6f7d8-yyyyy'].reasons[0]).toMatch(
      /topology.kubernetes.io\/region In \(fr-par\)/,
    );
  });

  it('warns on an unmet preference and on a namespace pin, without calling it violated', () => {
    expect(byName['web-7c4b9-ccccc'].intentStatus).toBe('warning');
    expect(byName['web-7c4b9-ccccc'].reasons.join()).toMatch(
      /prefers cfke.io\/provider In \(hetzner\)/,
    );
    expect(byName['web-7c4b9-aaaaa'].reasons.join()).toMatch(
      /pinned to scaleway/,
    );
  });

  it('does not fire when intent and reality agree', () => {
    const fine = buildClusterPlacement({ pods: shop, nodes, registry });
    const p = Object.fromEntries(flatPods(fine).map(x => [x.name, x]));
    expect(p['api-6f7d8-xxxxx'].intentMatches).toBe(true);
    expect(p['db-0'].intentStatus).toBe('matches');
    expect(p['web-7c4b9-bbbbb'].intentStatus).toBe('matches');
    expect(p['web-7c4b9-bbbbb'].reasons).toEqual([
      'no node constraints: may run on any provider',
    ]);
  });

  it('warns when every replica runs on one provider', () => {
    const one = buildClusterPlacement({
      pods: [
        slimPod({
          metadata: {
            name: 'a',
            namespace: 'x',
            ownerReferences: [
              { kind: 'StatefulSet', name: 's', controller: true },
            ],
          },
          spec: { nodeName: 'hz-fsn1-a' },
        }),
        slimPod({
          metadata: {
            name: 'b',
            namespace: 'x',
            ownerReferences: [
              { kind: 'StatefulSet', name: 's', controller: true },
            ],
          },
          spec: { nodeName: 'hz-nbg1-a' },
        }),
      ],
      nodes,
      registry,
    });
    expect(one.warnings).toEqual([
      'x/StatefulSet/s: all 2 replicas run on provider hetzner',
    ]);
    expect(result.warnings.filter(w => w.includes('all'))).toEqual([]);
  });
});

describe('buildPlatformPlacement', () => {
  const platform = buildPlatformPlacement(nodes, pods, registry);

  it('sums requests of active pods per node and up the tree', () => {
    const hetzner = platform.providers.find(p => p.name === 'hetzner')!;
    const fsn1 = hetzner.regions.find(r => r.name === 'fsn1')!.zones[0]
      .nodes[0];
    // pihole, web, api, node-exporter; the Succeeded job does not count.
    expect(fsn1.podCount).toBe(4);
    expect(fsn1.requested.cpuMillis).toBe(100 + 100 + 100 + 50);
    expect(hetzner.allocatable.cpuMillis).toBe(3 * 4000);
    expect(hetzner.podCount).toBe(4 + 1 + 1);
    expect(
      platformPlacementResponseSchema.safeParse({
        clusters: [{ cluster: 'lab', state: 'synced', ...platform }],
      }).success,
    ).toBe(true);
  });

  it('flags non-EU nodes and keeps unknown providers visible', () => {
    expect(platform.nonEuNodes).toEqual(['hz-ash-a']);
    expect(platform.providers.map(p => p.name)).toEqual([
      'hetzner',
      'scaleway',
      'unknown',
    ]);
    const unknown = platform.providers[2];
    expect(unknown.known).toBe(false);
    expect(unknown.regions[0].eu).toBeNull();
    expect(unknown.regions[0].nonEu).toBe(false);
  });
});

describe('groupServices', () => {
  it('recognises one instance per provider as one redundant service', () => {
    const services = groupServices(pods, registry);
    const pihole = services.find(s => s.id === 'dns/pihole')!;
    expect(pihole.redundantPerProvider).toBe(true);
    expect(pihole.workloads.map(w => w.name).sort()).toEqual([
      'pihole-hetzner',
      'pihole-scaleway',
    ]);
    expect(services.find(s => s.id === 'shop/web')?.redundantPerProvider).toBe(
      false,
    );
  });

  it('does not merge two releases of one chart that are not tied to providers', () => {
    const mk = (name: string, instance: string) =>
      slimPod({
        metadata: {
          name: `${name}-0`,
          namespace: 'data',
          labels: {
            'app.kubernetes.io/name': 'postgresql',
            'app.kubernetes.io/instance': instance,
          },
          ownerReferences: [{ kind: 'StatefulSet', name, controller: true }],
        },
        spec: { nodeName: 'hz-fsn1-a' },
      });
    const services = groupServices(
      [mk('orders-db', 'orders'), mk('users-db', 'users')],
      registry,
    );
    expect(services.map(s => [s.id, s.redundantPerProvider])).toEqual([
      ['data/orders-db', false],
      ['data/users-db', false],
    ]);
  });

  it('recognises instances living in per-provider namespaces (as the lab deploys Pi-hole)', () => {
    const mk = (provider: string) =>
      slimPod({
        metadata: {
          name: `pihole-0`,
          namespace: `pihole-${provider}`,
          labels: { 'app.kubernetes.io/name': 'pihole' },
          ownerReferences: [
            { kind: 'StatefulSet', name: 'pihole', controller: true },
          ],
        },
        spec: { nodeName: 'n', nodeSelector: { 'cfke.io/provider': provider } },
      });
    const services = groupServices([mk('hetzner'), mk('scaleway')], registry);
    expect(services.map(s => [s.id, s.redundantPerProvider])).toEqual([
      ['pihole/pihole', true],
    ]);
    // Two namespaces with no provider in their names stay two services.
    const other = (ns: string) =>
      slimPod({
        metadata: {
          name: 'x-0',
          namespace: ns,
          labels: { 'app.kubernetes.io/name': 'x' },
          ownerReferences: [
            { kind: 'StatefulSet', name: 'x', controller: true },
          ],
        },
        spec: { nodeName: 'n' },
      });
    expect(
      groupServices([other('team-a'), other('team-b')], registry).map(
        s => s.id,
      ),
    ).toEqual(['team-a/x', 'team-b/x']);
  });
});
