import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { createServiceFactory } from '@backstage/backend-plugin-api';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  desiredStorageResponseSchema,
  entityStorageResponseSchema,
  platformStorageResponseSchema,
} from '@cloudlab/plugin-multi-provider-common';
import request from 'supertest';
import { multiProviderBackend } from '../multiProviderBackend';
import { InMemoryClusterSource } from '../shared/InMemoryClusterSource';
import { lab, pod, pvc } from '../__fixtures__/storageLab';
import { clusterSourceServiceRef } from '@cloudlab/plugin-multi-provider-node';
import { repositoryCloudlabConfig } from '../__testUtils__/repositoryConfig';

// One test reads the whole GitOps tree and every test starts a backend; on a shared two-core
// machine jest's 5 s default is too tight for that, not a sign of a fault.
jest.setTimeout(30_000);

const entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'web',
    namespace: 'default',
    annotations: { 'backstage.io/kubernetes-id': 'web' },
  },
  spec: { type: 'service', lifecycle: 'production', owner: 'team-a' },
};
async function start(
  permission:
    | AuthorizeResult.ALLOW
    | AuthorizeResult.DENY = AuthorizeResult.ALLOW,
  cluster = lab(),
) {
  const { server } = await startTestBackend({
    features: [
      multiProviderBackend,
      mockServices.rootConfig.factory({
        data: {
          cloudlab: repositoryCloudlabConfig(),
        },
      }),
      mockServices.permissions.factory({ result: permission }),
      catalogServiceMock.factory({ entities: [entity] }),
      createServiceFactory({
        service: clusterSourceServiceRef,
        deps: {},
        factory: () => new InMemoryClusterSource([cluster]),
      }),
    ],
  });
  for (let i = 0; i < 200; i++) {
    const res = await request(server).get(
      '/api/multi-provider/platform/storage',
    );
    if (res.status !== 200 || res.body.clusters[0].state !== 'syncing') break;
    await new Promise(r => setTimeout(r, 10));
  }
  return server;
}

describe('storage routes', () => {
  it('reuses the entity answer (ETag, 304) until its claims, its pods or the cluster state change', async () => {
    const cluster = lab();
    const server = await start(AuthorizeResult.ALLOW, cluster);
    const url = '/api/multi-provider/entity/default/component/web/storage';
    const get = (etag?: string) =>
      etag
        ? request(server).get(url).set('If-None-Match', etag)
        : request(server).get(url);
    const settle = () => new Promise(r => setTimeout(r, 100));
    const first = await get();
    expect(first.status).toBe(200);
    const etag = first.headers.etag;
    expect((await get(etag)).status).toBe(304);

    // Another workload's pod changes: same answer, same tag.
    cluster.pods.upsert({
      metadata: { name: 'db-0', namespace: 'shop', labels: { app: 'db' } },
      spec: { nodeName: 's1' },
      status: { phase: 'Running' },
    } as any);
    await settle();
    expect((await get(etag)).status).toBe(304);

    // One of its claims changes: a new answer showing it.
    cluster.storage.pvcs.upsert({
      ...pvc('data', 'hcloud-volumes', 'pv-h'),
      status: { phase: 'Lost' },
    } as any);
    await settle();
    const changed = await get(etag);
    expect(changed.status).toBe(200);
    expect(changed.headers.etag).not.toBe(etag);
    expect(
      changed.body.clusters[0].claims.find((c: any) => c.name === 'data').phase,
    ).toBe('Lost');

    // One of its pods moves: the mounting pod's node shows the change.
    cluster.pods.upsert(pod('web-ok', 'data', 'hetzner', 'h2') as any);
    await settle();
    const moved = await get(changed.headers.etag);
    expect(moved.status).toBe(200);
    expect(
      moved.body.clusters[0].claims.find((c: any) => c.name === 'data').pods[0]
        .nodeName,
    ).toBe('h2');

    // The cluster goes stale: the next answer says so.
    cluster.setDown(new Error('connection refused'));
    for (let i = 0; i < 100; i++) {
      const res = await get();
      if (res.body.clusters[0].state === 'stale') break;
      await new Promise(r => setTimeout(r, 20));
    }
    const stale = await get(moved.headers.etag);
    expect(stale.status).toBe(200);
    expect(stale.body.clusters[0].state).toBe('stale');
    await server.stop();
  });

  it('lists the entity claims with provider, zone, pods and the conflict findings', async () => {
    const server = await start();
    const res = await request(server).get(
      '/api/multi-provider/entity/default/component/web/storage',
    );
    expect(res.status).toBe(200);
    const body = entityStorageResponseSchema.parse(res.body);
    const [cluster] = body.clusters;
    expect(cluster.state).toBe('synced');
    const data = cluster.claims.find(c => c.name === 'data')!;
    expect(data).toMatchObject({
      provider: 'hetzner',
      zone: 'fsn1',
      storageClassName: 'hcloud-volumes',
      bindingMode: 'WaitForFirstConsumer',
      accessModes: ['ReadWriteOnce'],
      phase: 'Bound',
      pods: [
        {
          name: 'web-ok',
          nodeName: 'h1',
          provider: 'hetzner',
          zone: 'fsn1-dc14',
        },
      ],
      findings: [],
    });
    const wrong = cluster.claims.find(c => c.name === 'wrong')!;
    expect(wrong).toMatchObject({ provider: 'scaleway', zone: 'fr-par-1' });
    expect(wrong.findings.map(f => f.id).sort()).toEqual([
      'claim-provider-conflict',
      'volume-node-affinity-conflict',
    ]);
  });

  it('names the kind of a cluster error in the storage answers, as placement does', async () => {
    const refusing = lab();
    refusing.setDown(
      Object.assign(new Error('HTTP-Code: 401'), {
        code: 401,
        body: { kind: 'Status', message: 'Unauthorized' },
      }),
    );
    const server = await start(AuthorizeResult.ALLOW, refusing);
    const entityRes = await request(server).get(
      '/api/multi-provider/entity/default/component/web/storage',
    );
    const platformRes = await request(server).get(
      '/api/multi-provider/platform/storage',
    );
    for (const cluster of [
      entityStorageResponseSchema.parse(entityRes.body).clusters[0],
      platformStorageResponseSchema.parse(platformRes.body).clusters[0],
    ]) {
      expect(cluster).toMatchObject({
        state: 'error',
        errorType: 'unauthorized',
        error: expect.stringContaining('401'),
      });
    }
  });

  it('summarises drivers, classes, zones and findings platform-wide', async () => {
    const server = await start();
    const res = await request(server).get(
      '/api/multi-provider/platform/storage',
    );
    const [cluster] = platformStorageResponseSchema.parse(res.body).clusters;
    expect(cluster.csiDrivers).toEqual([
      expect.objectContaining({
        name: 'csi.hetzner.cloud',
        provider: 'hetzner',
        nodes: ['h1'],
        missingOn: [],
      }),
      expect.objectContaining({
        name: 'csi.scaleway.com',
        provider: 'scaleway',
        nodes: [],
        missingOn: ['s1'],
      }),
    ]);
    expect(
      cluster.zones.map(z => `${z.provider}/${z.zone}:${z.claims}`),
    ).toEqual(['hetzner/fsn1:1', 'scaleway/fr-par-1:1']);
    expect(cluster.storageClasses[0]).toMatchObject({
      name: 'hcloud-volumes',
      provider: 'hetzner',
      allowVolumeExpansion: true,
      claims: 1,
      capacityBytes: 10 * 1024 ** 3,
    });
    expect(cluster.findingCounts).toEqual({
      'claim-provider-conflict': 1,
      'volume-node-affinity-conflict': 1,
      'csi-node-plugin-missing': 1,
    });
  });

  it('keeps irrelevant events out of the cache and follows the watch', async () => {
    const cluster = lab();
    const server = await start(AuthorizeResult.ALLOW, cluster);
    cluster.storage.pvcs.remove(pvc('wrong', 'scw-bssd', 'pv-s'));
    cluster.pods.remove(pod('web-stuck', 'wrong', 'hetzner') as any);
    let body: any;
    for (let i = 0; i < 100; i++) {
      body = (await request(server).get('/api/multi-provider/platform/storage'))
        .body;
      if (body.clusters[0].totals.claims === 1) break;
      await new Promise(r => setTimeout(r, 10));
    }
    expect(body.clusters[0].totals.claims).toBe(1);
    expect(
      body.clusters[0].findingCounts['claim-provider-conflict'],
    ).toBeUndefined();
  });

  it('renders the desired claims of the gitops lab tree with their provider', async () => {
    const server = await start();
    const res = await request(server).get(
      '/api/multi-provider/platform/storage/desired?cluster=lab',
    );
    expect(res.status).toBe(200);
    const body = desiredStorageResponseSchema.parse(res.body);
    const pihole = body.kustomizations.filter(k =>
      k.name.startsWith('apps-pihole-'),
    );
    expect(
      pihole.map(k =>
        k.claims.map(c => `${c.namespace}/${c.name} ${c.provider}`),
      ),
    ).toEqual([
      ['pihole-hetzner/pihole-data hetzner'],
      ['pihole-scaleway/pihole-data scaleway'],
    ]);
    expect(pihole.every(k => !k.error)).toBe(true);
    expect(pihole.flatMap(k => k.findings)).toEqual([]);
    const bad = await request(server).get(
      '/api/multi-provider/platform/storage/desired?cluster=../x',
    );
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('cluster');
  });

  it('answers 403 on every storage route without the storage permission', async () => {
    const server = await start(AuthorizeResult.DENY);
    for (const url of [
      '/api/multi-provider/entity/default/component/web/storage',
      '/api/multi-provider/platform/storage',
      '/api/multi-provider/platform/storage/desired',
    ]) {
      expect((await request(server).get(url)).status).toBe(403);
    }
  });
});
