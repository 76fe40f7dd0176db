import zlib from 'node:zlib';
import { ProviderRegistry } from '@cloudlab/plugin-multi-provider-common';
import express from 'express';
import request from 'supertest';
import { InMemoryCluster } from './InMemoryClusterSource';
import { PlacementService } from '../placement/PlacementService';
import { sendJsonAnswer } from './answerMemo';
import {
  node,
  pod,
  until,
  repositoryRegistry,
  webAndDbCluster,
} from '../__testUtils__/placementFixtures';

let registry: ProviderRegistry;
beforeAll(async () => {
  registry = await repositoryRegistry();
});

const entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'web',
    namespace: 'default',
    annotations: { 'backstage.io/kubernetes-label-selector': 'app=web' },
  },
};
const ref = { kind: 'component', namespace: 'default', name: 'web' };
const creds = {} as any;

async function setup() {
  const { cluster, cache, applied } = webAndDbCluster();
  const placement = new PlacementService([cache], () => registry, {
    getEntityByRef: async () => entity,
  } as any);
  cache.start();
  await until(() => cache.status().state === 'synced', 'sync');
  const answer = () => placement.entityPlacement(ref, creds);
  return { cluster, cache, placement, answer, applied };
}

const podNames = (
  a: Awaited<ReturnType<PlacementService['entityPlacement']>>,
) =>
  a.clusters[0].providers
    .flatMap(p => p.regions)
    .flatMap(r => r.zones)
    .flatMap(z => z.nodes)
    .flatMap(n => n.pods.map(p => `${n.name}:${p.name}:${p.phase}`))
    .sort();

describe('memoised platform placement answer', () => {
  const nodesOf = (placement: PlacementService) =>
    placement
      .platformPlacementAnswer()
      .value.clusters[0].providers.flatMap(p => p.regions)
      .flatMap(r => r.zones)
      .flatMap(z => z.nodes)
      .map(n => `${n.name}:${n.podCount}:${n.ready}`)
      .sort();

  it('reuses the answer and its bytes while the cluster does not change', async () => {
    const { placement, cache } = await setup();
    const first = placement.platformPlacementAnswer();
    expect(nodesOf(placement)).toEqual(['n1:1:true', 'n2:1:true', 'n3:1:true']);
    const again = placement.platformPlacementAnswer();
    expect(again.value).toBe(first.value);
    expect(again.json()).toBe(first.json());
    cache.stop();
  });

  it.each([
    [
      'a pod of any workload is added',
      (c: InMemoryCluster) => c.pods.upsert(pod('db-2', 'db', 'n1')),
      ['n1:2:true', 'n2:1:true', 'n3:1:true'],
    ],
    [
      'a node changes',
      (c: InMemoryCluster) => c.nodes.upsert(node('n2', false)),
      ['n1:1:true', 'n2:1:false', 'n3:1:true'],
    ],
  ])('rebuilds when %s', async (_what, change, expected) => {
    const { cluster, placement, applied, cache } = await setup();
    const first = placement.platformPlacementAnswer();
    first.json();
    await applied(() => change(cluster));
    const after = placement.platformPlacementAnswer();
    expect(after.value).not.toBe(first.value);
    expect(after.json().etag).not.toBe(first.json().etag);
    expect(nodesOf(placement)).toEqual(expected);
    cache.stop();
  });

  it('shows a cluster going stale in the next answer', async () => {
    const { cluster, placement, cache } = await setup();
    const first = placement.platformPlacementAnswer().value;
    expect(first.clusters[0].state).toBe('synced');
    cluster.setDown(new Error('connection refused'));
    cluster.pods.cutWatches(new Error('connection refused'));
    await until(() => cache.status().state === 'stale', 'stale');
    expect(placement.platformPlacementAnswer().value.clusters[0].state).toBe(
      'stale',
    );
    cache.stop();
  });
});

describe('memoised entity placement answers', () => {
  it('reuses the answer while nothing it depends on changes', async () => {
    const { answer, cache } = await setup();
    const first = await answer();
    expect(podNames(first)).toEqual(['n1:web-1:Running', 'n2:web-2:Running']);
    expect(await answer()).toBe(first);
    cache.stop();
  });

  it.each([
    [
      'phase',
      (c: InMemoryCluster) =>
        c.pods.upsert(pod('web-1', 'web', 'n1', 'Pending')),
      ['n1:web-1:Pending', 'n2:web-2:Running'],
    ],
    [
      'node',
      (c: InMemoryCluster) => c.pods.upsert(pod('web-1', 'web', 'n3')),
      ['n2:web-2:Running', 'n3:web-1:Running'],
    ],
    [
      'delete',
      (c: InMemoryCluster) => c.pods.remove(pod('web-2', 'web')),
      ['n1:web-1:Running'],
    ],
    [
      'add',
      (c: InMemoryCluster) => c.pods.upsert(pod('web-3', 'web', 'n3')),
      ['n1:web-1:Running', 'n2:web-2:Running', 'n3:web-3:Running'],
    ],
    [
      'relabel out of the entity',
      (c: InMemoryCluster) => c.pods.upsert(pod('web-2', 'other', 'n2')),
      ['n1:web-1:Running'],
    ],
    [
      'relabel into the entity',
      (c: InMemoryCluster) => c.pods.upsert(pod('db-1', 'web', 'n3')),
      ['n1:web-1:Running', 'n2:web-2:Running', 'n3:db-1:Running'],
    ],
  ])(
    'rebuilds after a %s change of one of its pods',
    async (_what, change, expected) => {
      const { cluster, answer, applied, cache } = await setup();
      const first = await answer();
      await applied(() => change(cluster));
      const after = await answer();
      expect(after).not.toBe(first);
      expect(podNames(after)).toEqual(expected);
      expect(await answer()).toBe(after);
      cache.stop();
    },
  );

  it('rebuilds when a node it runs on changes', async () => {
    const { cluster, answer, applied, cache } = await setup();
    const first = await answer();
    await applied(() => cluster.nodes.upsert(node('n1', false)));
    const after = await answer();
    expect(after).not.toBe(first);
    const n1 = after.clusters[0].providers[0].regions[0].zones[0].nodes.find(
      n => n.name === 'n1',
    );
    expect(n1?.ready).toBe(false);
    cache.stop();
  });

  it('does not rebuild for changes to other workloads or for no-op updates', async () => {
    const { cluster, answer, applied, cache } = await setup();
    const first = await answer();
    await applied(() => cluster.pods.upsert(pod('db-1', 'db', 'n3', 'Failed')));
    await applied(() => cluster.pods.upsert(pod('db-2', 'db', 'n1')));
    await applied(() => cluster.pods.remove(pod('db-2', 'db')));
    // The same content again (a status heartbeat, say): not even a cache change.
    const g = cache.generation;
    cluster.pods.upsert(pod('web-1', 'web', 'n1'));
    cluster.nodes.upsert(node('n1'));
    await new Promise(r => setTimeout(r, 50));
    expect(cache.generation).toBe(g);
    expect(await answer()).toBe(first);
    cache.stop();
  });

  it('shows a cluster going stale in the next answer', async () => {
    const { cluster, answer, cache } = await setup();
    expect((await answer()).clusters[0].state).toBe('synced');
    cluster.setDown(new Error('connection refused'));
    cluster.pods.cutWatches(new Error('connection refused'));
    await until(() => cache.status().state === 'stale', 'stale');
    const after = await answer();
    expect(after.clusters[0].state).toBe('stale');
    expect(after.clusters[0].staleSince).toBeDefined();
    expect(after.clusters[0].error).toMatch(/connection refused/);
    cache.stop();
  });

  it('serves the JSON with an ETag and answers If-None-Match with 304 until it changes', async () => {
    const { cluster, placement, applied, cache } = await setup();
    const app = express().get('/e', async (req, res) => {
      sendJsonAnswer(
        req,
        res,
        (await placement.entityPlacementAnswer(ref, creds)).json(),
      );
    });
    const first = await request(app).get('/e');
    expect(first.status).toBe(200);
    expect(first.headers['content-type']).toMatch(/application\/json/);
    expect(first.body.entityRef).toBe('component:default/web');
    const etag = first.headers.etag;
    expect(etag).toMatch(/^"/);
    const again = await request(app).get('/e').set('If-None-Match', etag);
    expect(again.status).toBe(304);
    expect(again.text).toBe('');
    await applied(() => cluster.pods.remove(pod('web-2', 'web')));
    const changed = await request(app).get('/e').set('If-None-Match', etag);
    expect(changed.status).toBe(200);
    expect(changed.headers.etag).not.toBe(etag);
    expect(changed.body.clusters[0].podCount).toBe(1);
    cache.stop();
  });

  it('sends the bytes gzipped once per answer when the request accepts gzip, plain otherwise', async () => {
    const body = Buffer.from(JSON.stringify({ rows: 'x'.repeat(4000) }));
    const answer = { body, etag: '"t-1"' };
    const gzip = jest.spyOn(zlib, 'gzipSync');
    const app = express().get('/e', (req, res) =>
      sendJsonAnswer(req, res, answer),
    );
    const zipped = await request(app).get('/e').set('Accept-Encoding', 'gzip');
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zipped.headers.vary).toMatch(/Accept-Encoding/);
    expect(Number(zipped.headers['content-length'])).toBeLessThan(body.length);
    expect(zipped.body.rows).toHaveLength(4000);
    await request(app).get('/e').set('Accept-Encoding', 'gzip');
    expect(gzip).toHaveBeenCalledTimes(1);
    const plain = await request(app)
      .get('/e')
      .set('Accept-Encoding', 'identity');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(Number(plain.headers['content-length'])).toBe(body.length);
    expect(plain.body.rows).toHaveLength(4000);
    gzip.mockRestore();
  });
});
