import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import path from 'path';
import { loadProviderRegistry } from '@cloudlab/plugin-multi-provider-node';
import {
  lab,
  node,
  pod,
  syncedStorageCaches,
} from '../__fixtures__/storageLab';
import { CostService } from './CostService';

const repoRoot = path.resolve(__dirname, '../../../..');
const DAY = 24 * 60 * 60 * 1000;
const web = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'web',
    namespace: 'default',
    annotations: { 'backstage.io/kubernetes-id': 'web' },
  },
  spec: { type: 'service', lifecycle: 'production', owner: 'team-a' },
};

/** The storage fixture with h1 a priced Hetzner cx32 in fsn1 and web-ok asking 1 vCPU, 2 GiB. */
async function setup(now = new Date('2026-12-08T00:00:00Z'), maxAgeDays = 30) {
  const cluster = lab();
  const h1 = node('h1', 'hetzner', 'fsn1-dc14', {
    'csi.hetzner.cloud/location': 'fsn1',
    'topology.kubernetes.io/region': 'fsn1',
    'node.kubernetes.io/instance-type': 'cx32',
  }) as any;
  h1.status.capacity = { cpu: '4', memory: '8Gi', pods: '110' };
  h1.status.allocatable = h1.status.capacity;
  cluster.nodes.upsert(h1);
  const ok = pod('web-ok', 'data', 'hetzner', 'h1') as any;
  ok.metadata.ownerReferences = [
    { kind: 'StatefulSet', name: 'web', controller: true },
  ];
  ok.spec.containers = [
    { name: 'app', resources: { requests: { cpu: '1', memory: '2Gi' } } },
  ];
  cluster.pods.upsert(ok);
  const { cache, storage, stop } = await syncedStorageCaches(
    cluster,
    mockServices.logger.mock(),
  );
  const registry = await loadProviderRegistry(path.join(repoRoot, 'providers'));
  const service = new CostService(
    [cache],
    [storage],
    () => registry,
    catalogServiceMock({ entities: [web] }),
    { maxPriceAgeMs: maxAgeDays * DAY, now: () => now },
  );
  return { cluster, cache, service, stop };
}

describe('CostService', () => {
  it('prices the entity from the registry table, by hand', async () => {
    const { service, stop } = await setup();
    const answer = await service.entityCost(
      { kind: 'component', namespace: 'default', name: 'web' },
      mockCredentials.user(),
    );
    stop();
    expect(answer.currency).toBe('EUR');
    expect(answer.stale).toEqual([]);
    const [cluster] = answer.clusters;
    // cx32 in fsn1 is 6.80 a month; 1 of 4 vCPU and 2 of 8 GiB -> a quarter: 1.70.
    // web-stuck is pending and costs nothing.
    expect(cluster.total.monthly).toBeCloseTo(1.7, 10);
    expect(cluster.total).toMatchObject({ pods: 1, unknownPods: 0 });
    // The pending pod's workload is listed with no pod counted.
    expect(cluster.workloads.map(w => [w.id, w.pods])).toEqual([
      ['shop/Pod/web-stuck', 0],
      ['shop/StatefulSet/web', 1],
    ]);
    const workload = cluster.workloads[1];
    // On Scaleway the cheapest type for 1 vCPU, 2 GiB: DEV1-S (2 vCPU, 2 GiB, 6.42) at
    // (1/2 + 2/2)/2 = 0.75 -> 4.815; DEV1-M (3 vCPU, 4 GiB, 14.45) at (1/3 + 1/2)/2 -> 12.04.
    const scaleway = workload.alternatives.find(a => a.provider === 'scaleway');
    expect(scaleway).toMatchObject({ fits: true, serverType: 'DEV1-S' });
    expect(scaleway?.fits && scaleway.monthly).toBeCloseTo(4.815, 10);
    // Both claims the entity's pods mount: 10 GiB on Hetzner at 0.044, 10 GiB on Scaleway at 0.08.
    const claims = Object.fromEntries(
      cluster.claims.map(c => [c.name, c.monthly]),
    );
    expect(claims.data).toBeCloseTo(0.44, 10);
    expect(claims.wrong).toBeCloseTo(0.8, 10);
  });

  it('answers the platform with node, idle and unknown figures and memoises it', async () => {
    const { service, cluster, cache, stop } = await setup();
    const first = service.platformCostAnswer();
    const [c] = first.value.clusters;
    const h1 = c.nodes.find(n => n.name === 'h1')!;
    expect(h1.monthly).toBe(6.8);
    expect(h1.idle).toBeCloseTo(5.1, 10);
    const s1 = c.nodes.find(n => n.name === 's1')!;
    expect(s1.unknownReason).toBe('the node names no server type');
    expect(c.total).toMatchObject({ nodes: 2, unknownNodes: 1 });
    expect(service.platformCostAnswer().value).toBe(first.value);
    const g = cache.generation;
    cluster.pods.upsert(pod('web-new', 'data', 'hetzner', 'h1') as any);
    for (let i = 0; i < 200 && cache.generation === g; i++) {
      await new Promise(r => setTimeout(r, 5));
    }
    expect(service.platformCostAnswer().value).not.toBe(first.value);
    stop();
  });

  it('warns in every answer once a table is older than the allowed age', async () => {
    const { service, stop } = await setup(new Date('2027-02-01T00:00:00Z'), 30);
    const platform = service.platformCostAnswer().value.clusters[0];
    stop();
    expect(platform.stale.map(s => s.provider).sort()).toEqual([
      'hetzner',
      'scaleway',
    ]);
    expect(platform.stale[0].message).toMatch(/prices were read on \d{4}/);
  });
});
