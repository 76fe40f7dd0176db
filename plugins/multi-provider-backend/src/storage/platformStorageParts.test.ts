import { mockServices } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import path from 'path';
import {
  lab,
  pod,
  pv,
  pvc,
  syncedStorageCaches,
} from '../__fixtures__/storageLab';
import { ProviderRegistry } from '@cloudlab/plugin-multi-provider-common';
import { loadProviderRegistry } from '@cloudlab/plugin-multi-provider-node';
import { StorageService } from './StorageService';

const repoRoot = path.resolve(__dirname, '../../../..');
let registry: ProviderRegistry;
beforeAll(async () => {
  registry = await loadProviderRegistry(path.join(repoRoot, 'providers'));
});

async function setup() {
  const cluster = lab();
  const { storage, stop } = await syncedStorageCaches(
    cluster,
    mockServices.logger.mock(),
  );
  const service = () =>
    new StorageService([storage], () => registry, catalogServiceMock());
  const kept = service();
  /** The kept service's answer, which must equal one built from scratch by a new service. */
  const ask = () => {
    const answer = kept.platformStorage().clusters[0];
    expect(answer).toEqual(service().platformStorage().clusters[0]);
    return answer;
  };
  const settle = () => new Promise(r => setTimeout(r, 30));
  return {
    cluster,
    ask,
    builds: () => ({ ...kept.platformBuilds }),
    settle,
    stop,
  };
}

/** A running pod with no claims and no node selector (most of a cluster's pods). */
const plainPod = (name: string, image: string) => ({
  metadata: { name, namespace: 'shop', labels: { app: 'other' } },
  spec: {
    nodeName: 'h1',
    containers: [{ name: 'c', image, resources: { requests: { cpu: image } } }],
  },
  status: { phase: 'Running' },
});

describe('platform storage view parts', () => {
  it('rebuilds each part only for the objects it reads, and always answers as a fresh build', async () => {
    const { cluster, ask, builds, settle, stop } = await setup();
    try {
      const first = ask();
      expect(first.totals.claims).toBe(2);
      const all = {
        csi: 1,
        counts: 1,
        findings: 1,
        clusterFindings: 1,
        countSums: 1,
      };
      expect(builds()).toEqual({ ...all, claimsJudged: 2 });
      ask();
      expect(builds()).toEqual({ ...all, claimsJudged: 2 });

      // Pods the findings cannot read: added, changed, removed; nothing is rebuilt.
      cluster.pods.upsert(plainPod('other-0', '100m') as any);
      await settle();
      ask();
      cluster.pods.upsert(plainPod('other-0', '200m') as any);
      await settle();
      ask();
      cluster.pods.remove(plainPod('other-0', '200m') as any);
      await settle();
      expect(ask()).toEqual(first);
      expect(builds()).toEqual({ ...all, claimsJudged: 2 });

      // An unscheduled pod pinned to scaleway mounting a hetzner claim: the findings are
      // rebuilt, and of the claims only that one is judged again.
      cluster.pods.upsert(pod('web-new', 'data', 'scaleway') as any);
      await settle();
      const pinned = ask();
      expect(builds()).toEqual({
        csi: 1,
        counts: 1,
        findings: 2,
        clusterFindings: 2,
        claimsJudged: 3,
        countSums: 1,
      });
      expect(
        pinned.findings.some(
          f =>
            f.id === 'claim-provider-conflict' &&
            f.objects.some(o => o.name === 'web-new'),
        ),
      ).toBe(true);

      // A claim: counts (added to the sums, not summed again) and findings, judging only the
      // new claim.
      cluster.storage.pvcs.upsert(pvc('extra', 'scw-bssd') as any);
      await settle();
      const more = ask();
      expect(more.totals).toEqual({ claims: 3, pendingClaims: 1, volumes: 2 });
      expect(builds()).toEqual({
        csi: 1,
        counts: 2,
        findings: 3,
        clusterFindings: 2,
        claimsJudged: 4,
        countSums: 1,
      });

      // A CSINode: every part reads classes, drivers or CSINodes; every claim is judged again
      // and the counts are summed again.
      cluster.storage.csiNodes.upsert({
        metadata: { name: 's1' },
        spec: { drivers: [{ name: 'csi.scaleway.com' }] },
      } as any);
      await settle();
      const csi = ask();
      expect(builds()).toEqual({
        csi: 2,
        counts: 3,
        findings: 4,
        clusterFindings: 3,
        claimsJudged: 7,
        countSums: 2,
      });
      expect(
        csi.csiDrivers.find(d => d.name === 'csi.scaleway.com')?.nodes,
      ).toEqual(['s1']);
    } finally {
      stop();
    }
  });
  it('judges a claim again when its volume, its events or its pinned pods change, drops it when it goes, and keeps the counts change by change', async () => {
    const { cluster, ask, builds, settle, stop } = await setup();
    const judged = () => builds().claimsJudged;
    const ids = (answer: ReturnType<typeof ask>) =>
      answer.findings.map(f => `${f.id} ${f.objects.map(o => o.name)}`);
    try {
      ask();
      expect(judged()).toBe(2);
      // A second claim naming the same volume (a mistake, but it happens).
      cluster.storage.pvcs.upsert(pvc('twin', 'hcloud-volumes', 'pv-h') as any);
      await settle();
      ask();
      expect(judged()).toBe(3);

      // The volume of 'data' moves to scaleway: its pod pinned to hetzner now conflicts, and
      // both claims naming it are judged again.
      cluster.storage.pvs.upsert(
        pv(
          'pv-h',
          'csi.scaleway.com',
          'scw-bssd',
          'topology.csi.scaleway.com/zone',
          'fr-par-1',
          'data',
        ) as any,
      );
      await settle();
      expect(ids(ask())).toContain('claim-provider-conflict data,web-ok');
      expect(judged()).toBe(5);

      // A pending claim and the events about it: the latest explains it, whatever their order.
      cluster.storage.pvcs.upsert(pvc('later', 'scw-bssd') as any);
      await settle();
      ask();
      expect(judged()).toBe(6);
      const claimEvent = (name: string, reason: string, at: string) => ({
        metadata: { name, namespace: 'shop' },
        involvedObject: {
          kind: 'PersistentVolumeClaim',
          name: 'later',
          namespace: 'shop',
        },
        reason,
        message: `${reason} message`,
        lastTimestamp: at,
      });
      cluster.storage.events.upsert(
        claimEvent('c2', 'ProvisioningFailed', '2026-01-02T00:00:00Z') as any,
      );
      cluster.storage.events.upsert(
        claimEvent('c1', 'WaitForFirstConsumer', '2026-01-01T00:00:00Z') as any,
      );
      await settle();
      const pending = ask().findings.find(
        f => f.id === 'pending-claim' && f.objects[0].name === 'later',
      );
      expect(pending?.message).toBe(
        'Claim is Pending: ProvisioningFailed: ProvisioningFailed message',
      );
      expect(judged()).toBe(7);

      // The pinned pod goes: its conflict with it.
      cluster.pods.remove(pod('web-ok', 'data', 'hetzner', 'h1') as any);
      await settle();
      expect(ids(ask())).not.toContain('claim-provider-conflict data,web-ok');
      expect(judged()).toBe(8);

      // The claim goes: its findings with it.
      cluster.storage.pvcs.remove(pvc('later', 'scw-bssd') as any);
      await settle();
      expect(ids(ask()).some(id => id.includes('later'))).toBe(false);
      expect(judged()).toBe(9);

      // Both volumes go: their zone goes with them, and the claims naming them count in none.
      for (const name of ['pv-h', 'pv-s']) {
        cluster.storage.pvs.remove({ metadata: { name } } as any);
      }
      await settle();
      const empty = ask();
      expect(empty.zones).toEqual([]);
      expect(empty.totals.volumes).toBe(0);
      // Every count above was kept change by change, never summed again.
      expect(builds().countSums).toBe(1);
    } finally {
      stop();
    }
  });
});
