import { mockServices } from '@backstage/backend-test-utils';
import * as k8s from '@kubernetes/client-node';
import {
  ClusterCache,
  connectCluster,
  StorageCache,
  StorageService,
} from '@cloudlab/plugin-multi-provider-backend/internal';
import { loadProviderRegistry } from '@cloudlab/plugin-multi-provider-node';
import { statusCode } from '../kube/client';
import { findProvider, PROVIDER_LABEL } from '../registry/labProviders';
import {
  describeLab,
  eventually,
  labFixture,
  LabFixture,
  piholeInstances,
  createTestNamespace,
} from './labFixture';

jest.setTimeout(300_000);

const NS = 'storage-proof';
const PV = 'storage-proof-scaleway-volume';
const ID = 'storage-proof';
const entities: Record<string, any> = {
  pihole: {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: 'pihole',
      namespace: 'default',
      annotations: {
        'backstage.io/kubernetes-label-selector':
          'app.kubernetes.io/name=pihole',
      },
    },
  },
  [ID]: {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: ID,
      namespace: 'default',
      annotations: { 'backstage.io/kubernetes-id': ID },
    },
  },
};
const catalog = {
  getEntityByRef: async (ref: { name: string }) => entities[ref.name],
} as any;
const credentials = {} as any;

async function ignoreNotFound(p: Promise<unknown>) {
  try {
    await p;
  } catch (err) {
    if (statusCode(err) !== 404) throw err;
  }
}

/**
 * The storage views through the multi-provider backend's own caches and service, against the
 * running lab: the Pi-hole claims' provider and zone, and a claim whose volume is on the other
 * provider than its pod's nodeSelector — the finding, and the real scheduler's refusal.
 */
describeLab('storage views (multi-provider backend against the lab)', () => {
  let lab: LabFixture;
  let cluster: ClusterCache;
  let storage: StorageCache;
  let service: StorageService;
  let fresh: () => ReturnType<
    StorageService['platformStorage']
  >['clusters'][number];

  const cleanup = async () => {
    await ignoreNotFound(
      lab.clients.core.deleteNamespace({ name: NS, gracePeriodSeconds: 0 }),
    );
    await eventually(
      `namespace ${NS} gone`,
      async () => {
        try {
          await lab.clients.core.readNamespace({ name: NS });
          return false;
        } catch (err) {
          return statusCode(err) === 404;
        }
      },
      gone => gone,
      () => 'still there',
      120_000,
    );
    await ignoreNotFound(lab.clients.core.deletePersistentVolume({ name: PV }));
  };

  beforeAll(async () => {
    lab = await labFixture();
    await cleanup();
    const logger = mockServices.logger.mock();
    const connection = connectCluster('lab', lab.clients.kc);
    cluster = new ClusterCache(connection, logger);
    storage = new StorageCache(cluster, connection.storage!, logger);
    const registry = await loadProviderRegistry(lab.paths.providersDir);
    service = new StorageService([storage], () => registry, catalog);
    // The platform view of a service that has not answered before: built from scratch.
    fresh = () =>
      new StorageService([storage], () => registry, catalog).platformStorage()
        .clusters[0];
    cluster.start();
    storage.start();
    await eventually(
      'storage cache synced',
      async () => [cluster.status().state, storage.status().state],
      s => s.every(x => x === 'synced'),
      s => s.join(', '),
      60_000,
    );
    // Answered once now, so what the proof objects change is applied to the kept view.
    service.platformStorage();
  });

  afterAll(async () => {
    storage?.stop();
    cluster?.stop();
    if (lab) await cleanup();
  });

  it('shows each Pi-hole claim on its instance provider, in the zone of its volume', async () => {
    const instances = await piholeInstances(lab.clients);
    const answer = await service.entityStorage(
      { kind: 'component', namespace: 'default', name: 'pihole' },
      credentials,
    );
    const claims = answer.clusters[0].claims;
    expect(claims.map(c => c.namespace).sort()).toEqual(
      instances.map(i => i.namespace).sort(),
    );
    for (const { namespace, provider } of instances) {
      const claim = claims.find(c => c.namespace === namespace)!;
      const pvc = await lab.clients.core.readNamespacedPersistentVolumeClaim({
        name: claim.name,
        namespace,
      });
      const pv = await lab.clients.core.readPersistentVolume({
        name: pvc.spec!.volumeName!,
      });
      const storageSpec = findProvider(lab.providers, provider)!.storage;
      const term =
        pv.spec!.nodeAffinity!.required!.nodeSelectorTerms[0]
          .matchExpressions![0];
      expect(claim).toMatchObject({
        provider,
        phase: 'Bound',
        storageClassName: pvc.spec!.storageClassName,
        csiDriver: storageSpec.csiDriver,
        topologyKey: storageSpec.topologyKey,
        zone: term.values!.join(', '),
        volumeName: pv.metadata!.name,
      });
      // Its pods run on the same provider, on nodes inside the volume's topology domain.
      expect(claim.pods.length).toBeGreaterThan(0);
      for (const pod of claim.pods) {
        expect(pod.provider).toBe(provider);
        const node = await lab.clients.core.readNode({ name: pod.nodeName! });
        expect(term.values).toContain(
          node.metadata!.labels![storageSpec.topologyKey],
        );
      }
      expect(claim.findings).toEqual([]);
    }
  });

  it("lists each CSI driver's node plugin on exactly its provider's nodes", async () => {
    const nodes = (await lab.clients.core.listNode()).items;
    const platform = service.platformStorage().clusters[0];
    for (const provider of lab.providers) {
      const driver = platform.csiDrivers.find(
        d => d.name === provider.storage.csiDriver,
      )!;
      expect(driver).toMatchObject({
        provider: provider.name,
        installed: true,
        missingOn: [],
      });
      expect(driver.nodes).toEqual(
        nodes
          .filter(n => n.metadata?.labels?.[PROVIDER_LABEL] === provider.name)
          .map(n => n.metadata!.name!)
          .sort(),
      );
    }
    expect(platform.findingCounts['csi-node-plugin-missing']).toBeUndefined();
  });

  it('a volume on scaleway mounted by a pod pinned to hetzner: finding and a Pending pod for that reason', async () => {
    const scaleway = findProvider(lab.providers, 'scaleway')!.storage;
    const nodes = (await lab.clients.core.listNode()).items;
    const zone = nodes
      .map(n => n.metadata?.labels?.[scaleway.topologyKey])
      .find(Boolean)!;
    await createTestNamespace(lab.clients, NS);
    const pv: k8s.V1PersistentVolume = {
      metadata: { name: PV },
      spec: {
        storageClassName: 'scw-bssd',
        capacity: { storage: '1Gi' },
        accessModes: ['ReadWriteOnce'],
        persistentVolumeReclaimPolicy: 'Delete',
        csi: { driver: scaleway.csiDriver, volumeHandle: `${zone}/proof` },
        claimRef: { namespace: NS, name: 'data' },
        nodeAffinity: {
          required: {
            nodeSelectorTerms: [
              {
                matchExpressions: [
                  { key: scaleway.topologyKey, operator: 'In', values: [zone] },
                ],
              },
            ],
          },
        },
      },
    };
    await lab.clients.core.createPersistentVolume({ body: pv });
    await lab.clients.core.createNamespacedPersistentVolumeClaim({
      namespace: NS,
      body: {
        metadata: { name: 'data', namespace: NS },
        spec: {
          storageClassName: 'scw-bssd',
          volumeName: PV,
          accessModes: ['ReadWriteOnce'],
          resources: { requests: { storage: '1Gi' } },
        },
      },
    });
    await eventually(
      'claim bound to the scaleway volume',
      () =>
        lab.clients.core.readNamespacedPersistentVolumeClaim({
          name: 'data',
          namespace: NS,
        }),
      c => c.status?.phase === 'Bound',
      c => c.status?.phase ?? 'no phase',
    );
    await lab.clients.core.createNamespacedPod({
      namespace: NS,
      body: {
        metadata: {
          name: 'pinned-to-hetzner',
          namespace: NS,
          labels: { 'backstage.io/kubernetes-id': ID },
        },
        spec: {
          nodeSelector: { [PROVIDER_LABEL]: 'hetzner' },
          containers: [{ name: 'app', image: 'lab-app:never-pulled' }],
          volumes: [
            { name: 'data', persistentVolumeClaim: { claimName: 'data' } },
          ],
        },
      },
    });

    // The real scheduler refuses it, for the volume's node affinity (read from its events).
    const events = await eventually(
      'FailedScheduling event of the pinned pod',
      async () =>
        (
          await lab.clients.core.listNamespacedEvent({
            namespace: NS,
            fieldSelector: 'involvedObject.name=pinned-to-hetzner',
          })
        ).items.filter(e => e.reason === 'FailedScheduling'),
      list => list.length > 0,
      list => list.map(e => e.message).join('; ') || 'no events',
    );
    // 1.36 wording ("volume node affinity conflict" before): the volume's node affinity.
    expect(events[events.length - 1].message).toMatch(
      /didn't match PersistentVolume's node affinity|volume node affinity conflict/,
    );
    const pod = await lab.clients.core.readNamespacedPod({
      name: 'pinned-to-hetzner',
      namespace: NS,
    });
    expect(pod.status?.phase).toBe('Pending');
    expect(pod.spec?.nodeName).toBeUndefined();

    // The backend, from its watch caches, shows the claim on scaleway and both findings.
    const claim = await eventually(
      'both findings on the claim',
      async () =>
        (
          await service.entityStorage(
            { kind: 'component', namespace: 'default', name: ID },
            credentials,
          )
        ).clusters[0].claims[0],
      c =>
        !!c &&
        c.findings.some(f => f.id === 'claim-provider-conflict') &&
        c.findings.some(f => f.id === 'volume-node-affinity-conflict'),
      c => JSON.stringify(c?.findings.map(f => f.id) ?? 'no claim'),
      60_000,
    );
    expect(claim).toMatchObject({
      name: 'data',
      provider: 'scaleway',
      zone,
      pods: [{ name: 'pinned-to-hetzner', phase: 'Pending' }],
    });
    const affinity = claim.findings.find(
      f => f.id === 'volume-node-affinity-conflict',
    )!;
    expect(affinity.severity).toBe('error');
    expect(affinity.message).toContain(events[events.length - 1].message!);
    const platform = service.platformStorage().clusters[0];
    expect(platform.findingCounts['volume-node-affinity-conflict']).toBe(1);
    // Kept change by change (counts, claim findings), it equals a view built from scratch.
    expect(platform).toEqual(fresh());
  });

  it('cleans up: the proof objects are gone and the finding with them', async () => {
    await cleanup();
    const counts = await eventually(
      'finding gone from the platform view',
      async () => service.platformStorage().clusters[0].findingCounts,
      c => !c['volume-node-affinity-conflict'] && !c['claim-provider-conflict'],
      c => JSON.stringify(c),
      60_000,
    );
    expect(counts['claim-provider-conflict']).toBeUndefined();
    // The PV goes last: its pv-protection finalizer is removed by the controller-manager only
    // once the claim is gone, so it may still be terminating when the findings are.
    const volumes = await eventually(
      'proof volume deleted',
      async () =>
        (
          await lab.clients.core.listPersistentVolume()
        ).items.map(v => v.metadata?.name),
      names => !names.includes(PV),
      names => JSON.stringify(names.filter(n => n === PV)),
      60_000,
    );
    expect(volumes).not.toContain(PV);
    expect(service.platformStorage().clusters[0]).toEqual(fresh());
  });
});
