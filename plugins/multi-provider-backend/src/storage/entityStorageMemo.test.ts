import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import path from 'path';
import {
  lab,
  pod,
  pv,
  pvc,
  syncedStorageCaches,
} from '../__fixtures__/storageLab';
import { loadProviderRegistry } from '@cloudlab/plugin-multi-provider-node';
import { StorageService } from './StorageService';

const repoRoot = path.resolve(__dirname, '../../../..');
const component = (name: string) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name,
    namespace: 'default',
    annotations: { 'backstage.io/kubernetes-id': name },
  },
  spec: { type: 'service', lifecycle: 'production', owner: 'team-a' },
});
const labelled = (o: any, id: string) => ({
  ...o,
  metadata: { ...o.metadata, labels: { 'backstage.io/kubernetes-id': id } },
});
const hetznerPv = (name: string, claim: string) =>
  pv(
    name,
    'csi.hetzner.cloud',
    'hcloud-volumes',
    'csi.hetzner.cloud/location',
    'fsn1',
    claim,
  );

/** `web` (the fixture's pods and claims) beside `db`, another workload in the same namespace. */
async function setup() {
  const cluster = lab();
  cluster.pods.upsert(
    labelled(pod('db-0', 'db-data', 'hetzner', 'h1'), 'db') as any,
  );
  cluster.storage.pvcs.upsert(pvc('db-data', 'hcloud-volumes', 'pv-db') as any);
  cluster.storage.pvs.upsert(hetznerPv('pv-db', 'db-data') as any);
  const { storage, stop } = await syncedStorageCaches(
    cluster,
    mockServices.logger.mock(),
  );
  const registry = await loadProviderRegistry(path.join(repoRoot, 'providers'));
  const service = new StorageService(
    [storage],
    () => registry,
    catalogServiceMock({ entities: [component('web'), component('db')] }),
  );
  let lastWeb: unknown;
  let webRebuilt = false;
  const ask = async (name = 'web') => {
    const answer = (
      await service.entityStorage(
        { kind: 'component', namespace: 'default', name },
        mockCredentials.user(),
      )
    ).clusters[0];
    if (name === 'web') {
      webRebuilt = answer !== lastWeb;
      lastWeb = answer;
    }
    return answer;
  };
  /** Whether the last answer for `web` was built anew rather than the memoised one. */
  const rebuilt = () => webRebuilt;
  const settle = () => new Promise(r => setTimeout(r, 30));
  return { cluster, storage, ask, rebuilt, settle, stop };
}

describe('entity storage answer versions', () => {
  it('rebuilds for its own claims, volumes, pods, events and classes only', async () => {
    const { cluster, ask, rebuilt, settle, stop } = await setup();
    const s = cluster.storage;
    expect((await ask()).claims.map(c => c.name)).toEqual(['data', 'wrong']);
    expect(rebuilt()).toBe(true);
    await ask();
    expect(rebuilt()).toBe(false);

    // No-op update of its claim, then another workload's claim, volume and pod: no rebuild.
    s.pvcs.upsert(pvc('data', 'hcloud-volumes', 'pv-h') as any);
    s.pvcs.upsert({
      ...pvc('db-data', 'hcloud-volumes', 'pv-db'),
      status: { phase: 'Lost' },
    } as any);
    s.pvs.upsert({
      ...hetznerPv('pv-db', 'db-data'),
      status: { phase: 'Released' },
    } as any);
    cluster.pods.upsert(
      labelled(pod('db-0', 'db-data', 'hetzner'), 'db') as any,
    );
    s.events.upsert({
      metadata: { name: 'e-db', namespace: 'shop' },
      involvedObject: { kind: 'Pod', name: 'db-0', namespace: 'shop' },
      reason: 'FailedScheduling',
      message: 'volume node affinity conflict',
      lastTimestamp: '2026-01-02T00:00:00Z',
    } as any);
    await settle();
    await ask();
    expect(rebuilt()).toBe(false);
    // ... while the other workload's answer does see its own change.
    expect((await ask('db')).claims[0].phase).toBe('Lost');

    // Its claim changes.
    s.pvcs.upsert({
      ...pvc('data', 'hcloud-volumes', 'pv-h'),
      status: { phase: 'Lost' },
    } as any);
    await settle();
    const claim = (await ask()).claims.find(c => c.name === 'data')!;
    expect(claim.phase).toBe('Lost');
    expect(rebuilt()).toBe(true);

    // Its claim's volume moves to another driver.
    s.pvs.upsert({
      ...hetznerPv('pv-h', 'data'),
      spec: { ...hetznerPv('pv-h', 'data').spec, csi: { driver: 'x.example' } },
    } as any);
    await settle();
    expect((await ask()).claims.find(c => c.name === 'data')!.csiDriver).toBe(
      'x.example',
    );
    expect(rebuilt()).toBe(true);

    // One of its pods moves.
    cluster.pods.upsert(pod('web-ok', 'data', 'hetzner', 's1') as any);
    await settle();
    expect(
      (await ask()).claims.find(c => c.name === 'data')!.pods[0].nodeName,
    ).toBe('s1');
    expect(rebuilt()).toBe(true);

    // A StorageClass it uses changes its binding mode.
    s.storageClasses.upsert({
      metadata: { name: 'hcloud-volumes' },
      provisioner: 'csi.hetzner.cloud',
      volumeBindingMode: 'Immediate',
    } as any);
    await settle();
    expect((await ask()).claims.find(c => c.name === 'data')!.bindingMode).toBe(
      'Immediate',
    );
    expect(rebuilt()).toBe(true);

    // A claim carrying its labels appears (attributed by label, not mounted by a pod).
    s.pvcs.upsert(labelled(pvc('web-extra', 'hcloud-volumes'), 'web') as any);
    await settle();
    expect((await ask()).claims.map(c => c.name)).toEqual([
      'data',
      'web-extra',
      'wrong',
    ]);
    expect(rebuilt()).toBe(true);

    // An event about its claim.
    s.events.upsert({
      metadata: { name: 'e-extra', namespace: 'shop' },
      involvedObject: {
        kind: 'PersistentVolumeClaim',
        name: 'web-extra',
        namespace: 'shop',
      },
      reason: 'ProvisioningFailed',
      message: 'quota exceeded',
      lastTimestamp: '2026-01-02T00:00:00Z',
    } as any);
    await settle();
    await ask();
    expect(rebuilt()).toBe(true);

    // Its claim is deleted.
    s.pvcs.remove(labelled(pvc('web-extra', 'hcloud-volumes'), 'web') as any);
    await settle();
    expect((await ask()).claims.map(c => c.name)).toEqual(['data', 'wrong']);
    expect(rebuilt()).toBe(true);
    stop();
  });

  it('selects the entity again only after a change somewhere in the cluster', async () => {
    const { cluster, storage, ask, settle, stop } = await setup();
    const reads = jest.spyOn(storage.claimStamps, 'version');
    await ask();
    await ask();
    await ask('db');
    await ask('db');
    // Once per entity while nothing changed: the version is O(pods) to compute.
    expect(reads).toHaveBeenCalledTimes(2);
    // A change to another workload's pod bumps the generation: both are read again (and,
    // their own objects unchanged, neither answer is rebuilt).
    cluster.pods.upsert(
      labelled(pod('db-0', 'db-data', 'hetzner', 'h2'), 'db') as any,
    );
    await settle();
    await ask();
    await ask('db');
    expect(reads).toHaveBeenCalledTimes(4);
    stop();
  });

  it('shows a stale cluster in the next answer', async () => {
    const { cluster, ask, stop } = await setup();
    expect((await ask()).state).toBe('synced');
    cluster.setDown(new Error('connection refused'));
    await new Promise(r => setTimeout(r, 50));
    const answer = await ask();
    expect(answer.state).toBe('stale');
    expect(answer.staleSince).toBeDefined();
    stop();
  });
});
