import { mockServices } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import path from 'path';
import { lab, pod, pvc, syncedStorageCaches } from '../__fixtures__/storageLab';
import { loadProviderRegistry } from '../registry/loadProviderRegistry';
import { StorageService } from './StorageService';

const repoRoot = path.resolve(__dirname, '../../../..');
const registry = loadProviderRegistry(path.join(repoRoot, 'providers'));

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
      expect(builds()).toEqual({ csi: 1, counts: 1, findings: 1 });
      ask();
      expect(builds()).toEqual({ csi: 1, counts: 1, findings: 1 });

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
      expect(builds()).toEqual({ csi: 1, counts: 1, findings: 1 });

      // An unscheduled pod mounting a claim: only the findings are rebuilt.
      cluster.pods.upsert(pod('web-new', 'data', 'scaleway') as any);
      await settle();
      const pinned = ask();
      expect(builds()).toEqual({ csi: 1, counts: 1, findings: 2 });
      expect(
        pinned.findings.some(
          f =>
            f.id === 'claim-provider-conflict' &&
            f.objects.some(o => o.name === 'web-new'),
        ),
      ).toBe(true);

      // A claim: counts and findings.
      cluster.storage.pvcs.upsert(pvc('extra', 'scw-bssd') as any);
      await settle();
      const more = ask();
      expect(more.totals).toEqual({ claims: 3, pendingClaims: 1, volumes: 2 });
      expect(builds()).toEqual({ csi: 1, counts: 2, findings: 3 });

      // A CSINode: every part reads classes, drivers or CSINodes.
      cluster.storage.csiNodes.upsert({
        metadata: { name: 's1' },
        spec: { drivers: [{ name: 'csi.scaleway.com' }] },
      } as any);
      await settle();
      const csi = ask();
      expect(builds()).toEqual({ csi: 2, counts: 3, findings: 4 });
      expect(
        csi.csiDrivers.find(d => d.name === 'csi.scaleway.com')?.nodes,
      ).toEqual(['s1']);
    } finally {
      stop();
    }
  });
});
