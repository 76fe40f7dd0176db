import { AddressInfo, createServer } from 'node:net';
import { ClusterCache } from '@cloudlab/plugin-multi-provider-backend/internal';
import { startComponent, stopComponent } from '../commands/component';
import { PORTS } from '../controlPlane/components';
import {
  createTestNamespace,
  describeLab,
  eventually,
  labFixture,
  LabFixture,
  labSettled,
} from './labFixture';
import {
  backendCache,
  compactEtcd,
  labClusterConfig,
  partitionableProxy,
} from './__testUtils__/placementBackend';
import { startMultiProviderBackend } from './__testUtils__/multiProviderBackend';

jest.setTimeout(600_000);

const showStatus = (c: ClusterCache) => JSON.stringify(c.status());

/** A bare pod the scheduler places on any lab node (outside the benchmark nodes). */
const barePod = (name: string) => ({
  metadata: { name, labels: { 'lab-test': 'faults' } },
  spec: {
    automountServiceAccountToken: false,
    containers: [{ name: 'app', image: 'lab-app:never-pulled' }],
  },
});

describeLab('placement backend faults against the real API server', () => {
  let lab: LabFixture;
  const namespace = `lab-test-faults-${Date.now().toString(36)}`;
  const caches: ClusterCache[] = [];

  beforeAll(async () => {
    lab = await labFixture();
    await createTestNamespace(lab.clients, namespace);
  });

  afterAll(async () => {
    // Whatever happened, the API server runs again before the next suite.
    await startComponent('kube-apiserver');
    for (const c of caches) c.stop();
    // The API server was restarted: the lab runs a workload again before the next suite.
    await labSettled(lab);
    await lab.clients.core
      .deleteNamespace({ name: namespace })
      .catch(() => undefined);
  });

  it('API server stopped mid-watch and restarted: stale with a typed error, then synced again and sees a pod created after the restart — same cache, no backend restart', async () => {
    const cache = backendCache(labClusterConfig(lab.paths));
    caches.push(cache);
    await eventually(
      'sync',
      async () => cache,
      c => c.status().state === 'synced',
      showStatus,
    );
    const relistsBefore = cache.pods.relists;

    expect(await stopComponent('kube-apiserver')).toBe('stopped');
    const stale = await eventually(
      'the cache to notice',
      async () => cache.status(),
      s => s.state === 'stale',
      s => JSON.stringify(s),
      60_000,
    );
    expect(stale.staleSince).toBeDefined();
    expect(stale.lastErrorType).toBe('unreachable');
    // The data stays available while stale.
    expect(stale.pods).toBeGreaterThan(0);

    await startComponent('kube-apiserver');
    await eventually(
      'the cache to recover',
      async () => cache,
      c => c.status().state === 'synced',
      showStatus,
      120_000,
    );
    await lab.clients.core.createNamespacedPod({
      namespace,
      body: barePod('after-restart'),
    });
    await eventually(
      'the pod created after the restart in the cache',
      async () => cache.pods.items.get(`${namespace}/after-restart`),
      p => !!p,
      p => JSON.stringify(p),
      60_000,
    );
    expect(cache.status().lastError).toBeUndefined();
    // Resumed from its resourceVersion or relisted: either way it never needed a new cache.
    expect(cache.pods.relists).toBeGreaterThanOrEqual(relistsBefore);
  });

  it('a long disconnect across etcd compaction: 410 Gone, relist, and the deletes missed meanwhile are emitted', async () => {
    const names = ['gone-1', 'gone-2', 'gone-3'];
    for (const name of names) {
      await lab.clients.core.createNamespacedPod({
        namespace,
        body: barePod(name),
      });
    }
    const apiserver = new URL(labClusterConfig(lab.paths).url);
    const proxy = await partitionableProxy(apiserver);
    const cache = backendCache(
      labClusterConfig(lab.paths, { url: proxy.url() }),
    );
    caches.push(cache);
    const deletes: string[] = [];
    cache.pods.subscribe((key, _prev, next) => {
      if (!next && key.startsWith(`${namespace}/`)) deletes.push(key);
    });
    try {
      await eventually(
        'sync through the proxy with the three pods',
        async () => cache,
        c =>
          c.status().state === 'synced' &&
          names.every(n => c.pods.items.has(`${namespace}/${n}`)),
        showStatus,
      );
      const relists = cache.pods.relists;

      await proxy.cut();
      for (const name of names) {
        await lab.clients.core.deleteNamespacedPod({
          name,
          namespace,
          gracePeriodSeconds: 0,
        });
      }
      await eventually(
        'the deletes to reach the API server',
        async () =>
          (
            await lab.clients.core.listNamespacedPod({ namespace })
          ).items.map(p => p.metadata!.name!),
        left => names.every(n => !left.includes(n)),
        left => left.join(', '),
      );
      // Forget the history: etcd compacted, and the API server's watch cache rebuilt from now.
      await compactEtcd(PORTS.etcdClient);
      await stopComponent('kube-apiserver');
      await startComponent('kube-apiserver');
      expect(cache.status().state).not.toBe('synced');

      await proxy.reopen();
      await eventually(
        'relist and the missed deletes',
        async () => ({ deletes: [...deletes].sort(), status: cache.status() }),
        v => v.deletes.length === names.length && v.status.state === 'synced',
        v => JSON.stringify(v),
        120_000,
      );
      expect(deletes.sort()).toEqual(names.map(n => `${namespace}/${n}`));
      expect(cache.pods.relists).toBe(relists + 1);
      for (const n of names)
        expect(cache.pods.items.has(`${namespace}/${n}`)).toBe(false);
    } finally {
      await proxy.close();
    }
  });

  it("two clusters, one refusing connections and one with a bad token: the routes answer with the lab's data and a typed error per broken cluster, quickly", async () => {
    const closed = createServer();
    await new Promise<void>(r => closed.listen(0, '127.0.0.1', r));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise(r => closed.close(r)); // nothing listens there now
    const lab1 = labClusterConfig(lab.paths);
    const clusters = [
      { ...lab1, authProvider: 'serviceAccount' },
      { ...lab1, name: 'refusing', url: `https://127.0.0.1:${closedPort}` },
      { ...lab1, name: 'bad-token', serviceAccountToken: 'not-a-token' },
    ];
    // A route that waited on a broken cluster would take at least one request timeout.
    const requestTimeoutMs = 5000;
    const backend = await startMultiProviderBackend(lab.paths, clusters, {
      cache: { requestTimeoutMs },
    });
    const base = backend.base;
    await eventually(
      'every cluster to settle (synced or error)',
      async () => (await (await fetch(`${base}/clusters`)).json()) as any,
      b =>
        b.clusters.every(
          (c: any) => c.state === 'synced' || c.state === 'error',
        ),
      b => JSON.stringify(b),
      60_000,
    );
    const t0 = Date.now();
    const res = await fetch(`${base}/platform/placement`);
    const elapsed = Date.now() - t0;
    expect(res.status).toBe(200);
    const body = (await res.json()) as { clusters: any[] };
    const by = Object.fromEntries(body.clusters.map(c => [c.cluster, c]));
    expect(by.lab).toMatchObject({ state: 'synced' });
    expect(by.lab.providers.map((p: any) => p.name).sort()).toEqual([
      'hetzner',
      'scaleway',
    ]);
    expect(by.refusing).toMatchObject({
      state: 'error',
      errorType: 'unreachable',
      providers: [],
    });
    expect(by.refusing.error).toMatch(/ECONNREFUSED/);
    expect(by['bad-token']).toMatchObject({
      state: 'error',
      errorType: 'unauthorized',
      error: expect.stringMatching(/^HTTP 401/),
    });
    // Answered from the caches: no waiting on the broken clusters. The bound is the behaviour
    // (shorter than a request to them could take), not a speed; the time is printed.
    console.log(
      `figure: /platform/placement with two broken clusters: ${elapsed} ms`,
    );
    expect(elapsed).toBeLessThan(requestTimeoutMs);
    await backend.stop();
  });
});
