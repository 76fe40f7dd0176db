import fs from 'node:fs';
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
} from './__testUtils__/placementBackend';
import {
  Fault,
  faultProxy,
  FaultProxy,
  ProxyRequest,
} from './__testUtils__/faultProxy';

jest.setTimeout(300_000);

const showStatus = (c: ClusterCache) => JSON.stringify(c.status());
const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

/** A bare pod the scheduler places on any lab node. */
const barePod = (name: string) => ({
  metadata: { name, labels: { 'lab-test': 'watch-faults' } },
  spec: {
    automountServiceAccountToken: false,
    containers: [{ name: 'app', image: 'lab-app:never-pulled' }],
  },
});

/** Informer timing of these tests: fast backoff, so each fault's schedule shows in seconds. */
const TIMING = {
  backoffMs: 200,
  maxBackoffMs: 2000,
  requestTimeoutMs: 10_000,
  recheckMs: 5000,
  maxRetries: 8,
};

const isPodWatch = (r: ProxyRequest) => r.watch && r.path === '/api/v1/pods';

describeLab('property 9: watch correctness against the real API server', () => {
  let lab: LabFixture;
  let proxy: FaultProxy;
  const caches: ClusterCache[] = [];
  const id = Date.now().toString(36);
  // Sorts before every other namespace: its pods fill the first pages of a list of all pods.
  const namespace = `a-lab-test-watch-${id}`;
  const figures: string[] = [];

  afterEach(() => {
    // A failed test's cache must not keep talking through the proxy into the next test's log.
    for (const c of caches) c.stop();
  });

  const proxiedCache = (
    options: Partial<typeof TIMING & { pageSize: number }> = {},
  ) => {
    const cluster = labClusterConfig(lab.paths, {
      name: 'proxied',
      url: proxy.url,
      caData: proxy.caData,
    });
    const cache = backendCache(cluster, { ...TIMING, ...options });
    caches.push(cache);
    return cache;
  };

  /** Pod keys of the whole lab, read directly (no proxy, no cache). */
  const truth = async () => {
    const keys: string[] = [];
    let cont: string | undefined;
    do {
      const page = await lab.clients.core.listPodForAllNamespaces({
        limit: 500,
        _continue: cont,
      });
      keys.push(
        ...page.items.map(p => `${p.metadata!.namespace}/${p.metadata!.name}`),
      );
      cont = page.metadata?._continue || undefined;
    } while (cont);
    return keys.sort();
  };

  beforeAll(async () => {
    lab = await labFixture();
    proxy = await faultProxy(
      new URL(labClusterConfig(lab.paths).url),
      fs.readFileSync(lab.paths.caCert),
    );
    await createTestNamespace(lab.clients, namespace);
  });

  afterAll(async () => {
    await startComponent('kube-apiserver');
    for (const c of caches) c.stop();
    await proxy?.close();
    // The API server was restarted: the lab runs a workload again before the next suite.
    await labSettled(lab);
    await lab.clients.core
      .deleteNamespace({ name: namespace })
      .catch(() => undefined);
    // eslint-disable-next-line no-console
    console.log(`property 9 figures:\n${figures.join('\n')}`);
  });

  it('an expired list continue token (second page held, etcd compacted) restarts the list: exactly the lab, no gaps, no duplicates', async () => {
    const names = Array.from(
      { length: 12 },
      (_, i) => `p${String(i + 1).padStart(2, '0')}`,
    );
    for (const name of names) {
      await lab.clients.core.createNamespacedPod({
        namespace,
        body: barePod(name),
      });
    }
    proxy.log.splice(0);
    // The first continued page of the pod list waits at the proxy.
    proxy.set(
      { kind: 'hold' },
      r => r.path === '/api/v1/pods' && !r.watch && r.query.has('continue'),
      1,
    );
    // The held page must not time out: the 410 — not a timeout — is what restarts the list.
    const cache = proxiedCache({ pageSize: 5, requestTimeoutMs: 120_000 });
    const added = new Map<string, number>();
    const deleted = new Set<string>();
    cache.pods.subscribe((key, prev, next) => {
      if (!prev && next) added.set(key, (added.get(key) ?? 0) + 1);
      if (prev && !next) deleted.add(key);
    });
    await eventually(
      'the second page to be held',
      async () => proxy.heldCount(),
      n => n === 1,
      n => `${n} held; log ${proxy.log.map(r => r.path).join(' ')}`,
      60_000,
    );
    const firstPage = proxy.log.find(
      r => r.path === '/api/v1/pods' && !r.query.has('continue'),
    );
    expect(firstPage?.query.get('limit')).toBe('5');

    // While the list is paused: pods the first page returned go, pods on either side appear.
    const gone = ['p01', 'p02', 'p09'];
    for (const name of gone) {
      await lab.clients.core.deleteNamespacedPod({
        name,
        namespace,
        gracePeriodSeconds: 0,
      });
    }
    const fresh = ['p00', 'p13'];
    for (const name of fresh) {
      await lab.clients.core.createNamespacedPod({
        namespace,
        body: barePod(name),
      });
    }
    await eventually(
      'the deletes to land',
      async () =>
        (
          await lab.clients.core.listNamespacedPod({ namespace })
        ).items.map(p => p.metadata!.name!),
      left => gone.every(n => !left.includes(n)),
      left => left.join(', '),
    );
    // The first page's resourceVersion is compacted away. The API server (1.36) serves continued
    // lists from its watch-cache snapshots (seen: a 200 after compaction alone); the restart
    // drops them, so the token can only be served from etcd — where it expired.
    await compactEtcd(PORTS.etcdClient);
    await stopComponent('kube-apiserver');
    await startComponent('kube-apiserver');
    proxy.release();

    const synced = await eventually(
      'the list restarted and synced',
      async () => cache,
      c => c.status().state === 'synced',
      showStatus,
      120_000,
    );
    const continued = proxy.log.find(
      r => r.path === '/api/v1/pods' && r.query.has('continue'),
    );
    // The API server answered the stale continue token with 410 Expired…
    expect({ status: continued?.status, error: continued?.error }).toEqual({
      status: 410,
      error: undefined,
    });
    // …and the cache listed again from the start.
    const restarts = proxy.log.filter(
      r =>
        r.path === '/api/v1/pods' &&
        !r.watch &&
        !r.query.has('continue') &&
        r.at > continued!.at,
    );
    expect(restarts.length).toBeGreaterThanOrEqual(1);
    expect(synced.pods.relists).toBe(1);

    const mine = [...cache.pods.items.keys()]
      .filter(k => k.startsWith(`${namespace}/`))
      .sort();
    const expected = [...names.filter(n => !gone.includes(n)), ...fresh]
      .map(n => `${namespace}/${n}`)
      .sort();
    // No ghost of the deleted pods of page one, none of the new ones missed.
    expect(mine).toEqual(expected);
    // The whole cache is exactly the lab (compared while nothing else changes pods).
    const lab1 = await truth();
    expect([...cache.pods.items.keys()].sort()).toEqual(lab1);
    // Every pod of this suite's namespace reported added once: no duplicates from the abandoned
    // first page. (Elsewhere a pod may be added twice for a reason: another suite's StatefulSet pod
    // evicted and recreated under its name meanwhile is reported deleted, then added again.)
    expect(
      [...added].filter(([k, n]) => n > 1 && k.startsWith(`${namespace}/`)),
    ).toEqual([]);
    // Every pod of the lab was reported added; a pod reported added that the lab no longer
    // holds (another suite's pod finishing its deletion meanwhile) was reported deleted too.
    expect(lab1.filter(k => !added.has(k))).toEqual([]);
    expect(
      [...added.keys()].filter(k => !lab1.includes(k) && !deleted.has(k)),
    ).toEqual([]);
    figures.push(
      `expired continue: page 2 answered ${continued?.status}, ${restarts.length} fresh list(s), ${mine.length} pods of the test namespace, ${lab1.length} in all`,
    );
    cache.stop();
  });

  const watchFaults: Array<{ name: string; fault: Fault; error: RegExp }> = [
    {
      name: 'HTTP 500 on every watch request',
      fault: { kind: 'status', status: 500 },
      error: /^HTTP 500/,
    },
    {
      name: 'a 200 watch stream carrying garbage',
      fault: { kind: 'garbage' },
      error: /garbled watch stream/,
    },
  ];

  it.each(watchFaults)(
    'watch broken by $name: the cache reports it, retries with backoff, and recovers with what changed meanwhile',
    async ({ name, fault, error }) => {
      proxy.set({ kind: 'pass' });
      const cache = proxiedCache();
      await eventually(
        'sync through the proxy',
        async () => cache,
        c => c.status().state === 'synced',
        showStatus,
        60_000,
      );
      const relists = cache.pods.relists;
      proxy.log.splice(0);
      proxy.set(fault, r => r.watch);
      proxy.dropConnections();
      const stale = await eventually(
        'the cache to report the broken watch',
        async () => cache.status(),
        s =>
          s.state === 'stale' &&
          s.lastErrorType === 'server-error' &&
          error.test(s.lastError ?? ''),
        s => JSON.stringify(s),
        30_000,
      );
      expect(stale.pods).toBeGreaterThan(0);
      const podName = `during-${name.includes('500') ? '500' : 'garbage'}`;
      await lab.clients.core.createNamespacedPod({
        namespace,
        body: barePod(podName),
      });
      // Let a few retries hit the wire.
      await sleep(4500);
      const attempts = proxy.log.filter(isPodWatch).map(r => r.at);
      const gaps = attempts.slice(1).map((t, i) => t - attempts[i]);
      // Not silent (it keeps trying), not a hot loop: the gaps grow from backoffMs, capped.
      const seen = `${attempts.length} watch attempts, gaps ${gaps.join(
        '/',
      )} ms`;
      expect({
        seen,
        ok: attempts.length >= 3 && attempts.length <= 6,
      }).toEqual({ seen, ok: true });
      gaps.forEach((gap, i) => {
        // Retry i+1 of the failing watch (retry 0 followed the cut stream's own failure).
        const delay = Math.min(
          TIMING.maxBackoffMs,
          TIMING.backoffMs * 2 ** (i + 1),
        );
        // Never sooner than the backoff: no hot loop. How much later is the machine's timing
        // (printed with the figures); the attempt count above shows it kept trying.
        expect({ seen, i, ok: gap >= delay - 25 }).toEqual({
          seen,
          i,
          ok: true,
        });
      });
      expect(cache.pods.items.has(`${namespace}/${podName}`)).toBe(false);

      proxy.set({ kind: 'pass' });
      const t0 = Date.now();
      await eventually(
        'recovered, with the pod created meanwhile',
        async () => cache,
        c =>
          c.status().state === 'synced' &&
          c.pods.items.has(`${namespace}/${podName}`),
        showStatus,
        30_000,
      );
      const recovered = Date.now() - t0;
      expect(cache.status().lastError).toBeUndefined();
      // Resumed from its resourceVersion: no relist was needed.
      expect(cache.pods.relists).toBe(relists);
      figures.push(
        `${name}: ${seen} (in 4.5 s after the fault was seen); synced ${recovered} ms after pass-through`,
      );
      cache.stop();
    },
  );
});
