import { mockServices } from '@backstage/backend-test-utils';
import { KubeNode, KubePod } from '@cloudlab/plugin-multi-provider-common';
import { InMemoryCluster } from './InMemoryClusterSource';
import { ClusterCache } from './ClusterCache';

const node = (name: string): KubeNode => ({
  metadata: { name, labels: { 'cfke.io/provider': 'hetzner' } },
  status: { conditions: [{ type: 'Ready', status: 'True' }] },
});
const pod = (
  name: string,
  nodeName = 'n1',
): KubePod & { apiVersion: string } => ({
  apiVersion: 'v1',
  metadata: { name, namespace: 'ns', labels: { app: name } },
  spec: { nodeName },
  status: { phase: 'Running' },
});

async function until(check: () => boolean, what: string) {
  for (let i = 0; i < 200; i++) {
    if (check()) return;
    await new Promise(r => setTimeout(r, 5));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function setup(pods = 5) {
  const cluster = new InMemoryCluster('c1', {
    nodes: [node('n1'), node('n2')],
    pods: Array.from({ length: pods }, (_, i) => pod(`p${i}`)),
  });
  const cache = new ClusterCache(cluster, mockServices.logger.mock(), {
    pageSize: 2,
    backoffMs: 5,
    maxBackoffMs: 20,
  });
  return { cluster, cache };
}

describe('ClusterCache', () => {
  it('lists in pages, then follows the watch', async () => {
    const { cluster, cache } = setup(5);
    cache.start();
    await until(() => cache.status().state === 'synced', 'sync');
    expect(cluster.pods.listCalls).toBe(3); // 5 pods, pages of 2
    expect(cache.pods.items.size).toBe(5);
    expect(cache.pods.items.get('ns/p0')).toEqual({
      name: 'p0',
      namespace: 'ns',
      labels: { app: 'p0' },
      nodeName: 'n1',
      phase: 'Running',
    });

    cluster.pods.upsert(pod('p9', 'n2'));
    cluster.pods.remove(pod('p0'));
    await until(() => cache.pods.items.has('ns/p9'), 'watch add');
    expect(cache.pods.items.has('ns/p0')).toBe(false);
    expect(cluster.pods.listCalls).toBe(3); // no relist for watch events
    cache.stop();
  });

  it('relists on 410 Gone', async () => {
    const { cluster, cache } = setup(1);
    cache.start();
    await until(() => cache.status().state === 'synced', 'sync');
    cluster.pods.compact();
    cluster.pods.cutWatches(new Error('stream closed'));
    await until(() => cluster.pods.listCalls === 2, 'relist after 410');
    await until(() => cache.status().state === 'synced', 'resync');
    expect(cache.pods.items.size).toBe(1);
    cache.stop();
  });

  it('after 410 Gone, emits the deletes missed while disconnected and keeps the index in step', async () => {
    const { cluster, cache } = setup(4);
    const deleted: string[] = [];
    cache.pods.subscribe((key, _prev, next) => {
      if (!next) deleted.push(key);
    });
    cache.start();
    await until(() => cache.status().state === 'synced', 'sync');
    // Disconnect, miss two deletes, lose the history: the resumed watch gets 410.
    cluster.pods.cutWatches(new Error('connection reset'));
    cluster.pods.remove(pod('p1'));
    cluster.pods.remove(pod('p3'));
    cluster.pods.compact();
    await until(() => deleted.length === 2, 'missed deletes');
    expect(deleted.sort()).toEqual(['ns/p1', 'ns/p3']);
    expect(cache.pods.relists).toBe(2);
    expect([...cache.pods.items.keys()].sort()).toEqual(['ns/p0', 'ns/p2']);
    const query = {
      requirements: [{ key: 'app', operator: 'In', values: ['p1', 'p2'] }],
      matches: () => true,
    };
    expect(cache.podIndex.select(query)).toEqual(['ns/p2']);
    cache.stop();
  });

  it('goes stale when the API server stops and recovers without a restart', async () => {
    const { cluster, cache } = setup(2);
    cache.start();
    await until(() => cache.status().state === 'synced', 'sync');

    cluster.setDown(new Error('connect ECONNREFUSED'));
    await until(() => cache.status().state === 'stale', 'stale');
    const stale = cache.status();
    expect(stale.staleSince).toBeDefined();
    expect(stale.lastError).toMatch(/ECONNREFUSED/);
    // Data stays available while stale.
    expect(cache.pods.items.size).toBe(2);

    // Changes made while down are picked up once the watch resumes.
    cluster.setDown(undefined);
    cluster.pods.upsert(pod('late'));
    await until(() => cache.status().state === 'synced', 'recovery');
    await until(() => cache.pods.items.has('ns/late'), 'catch-up');
    expect(cache.status().lastError).toBeUndefined();
    cache.stop();
  });

  it('goes stale when a watch stays silent past the idle deadline, and is synced again once one delivers', async () => {
    const cluster = new InMemoryCluster('c1', {
      nodes: [node('n1')],
      pods: [pod('p0')],
    });
    const cache = new ClusterCache(cluster, mockServices.logger.mock(), {
      backoffMs: 5,
      maxBackoffMs: 20,
      requestTimeoutMs: 50,
      idleDeadlineMs: 100,
    });
    cache.start();
    await until(() => cache.status().state === 'synced', 'sync');
    // A frozen API server: the open watches deliver nothing and no new watch gets an answer.
    const frozen = [cluster.nodes, cluster.pods].map(r => {
      const watch = r.watch.bind(r);
      r.watch = () => new Promise<{ stop(): void }>(() => {});
      return () => {
        r.watch = watch;
      };
    });
    const frozenAt = Date.now();
    await until(() => cache.status().state === 'stale', 'stale');
    const stale = cache.status();
    expect(Date.parse(stale.staleSince!)).toBeGreaterThanOrEqual(frozenAt);
    expect(stale.lastErrorType).toBe('timeout');
    expect(stale.lastError).toMatch(/no event and no bookmark for 100 ms/);
    expect(cache.pods.items.size).toBe(1);
    await until(() => !cache.pods.watching, 'the pod watch dropped');

    // A change made meanwhile arrives once the server answers again; the cluster is live again.
    cluster.pods.upsert(pod('late'));
    expect(cache.pods.items.has('ns/late')).toBe(false);
    frozen.forEach(resume => resume());
    await until(() => cache.pods.items.has('ns/late'), 'catch-up');
    await until(() => cache.status().state === 'synced', 'recovery');
    expect(cache.status().staleSince).toBeUndefined();
    cache.stop();
  });

  it('does not read synced when the watch failed to connect but the client still resolved (as client-node does)', async () => {
    const { cluster, cache } = setup(2);
    cache.start();
    await until(() => cache.status().state === 'synced', 'sync');
    cluster.pods.watch = async (_rv, _onEvent, onDone) => {
      onDone(new Error('connect ECONNREFUSED 127.0.0.1:6443'));
      return { stop: () => {} };
    };
    cluster.pods.cutWatches(new Error('socket hang up'));
    await until(() => cache.status().state === 'stale', 'stale');
    // Several reconnect attempts later it is still stale, never synced.
    await new Promise(r => setTimeout(r, 100));
    expect(cache.status()).toMatchObject({
      state: 'stale',
      lastErrorType: 'unreachable',
    });
    cache.stop();
  });

  it('reports error for a cluster that never answered', async () => {
    const { cluster, cache } = setup(0);
    cluster.setDown(new Error('certificate signed by unknown authority'));
    cache.start();
    await until(() => cache.status().state === 'error', 'error');
    expect(cache.status()).toMatchObject({
      name: 'c1',
      state: 'error',
      lastError: 'certificate signed by unknown authority',
      nodes: 0,
      pods: 0,
    });
    cache.stop();
  });

  const httpError = (code: number, headers: Record<string, string> = {}) =>
    Object.assign(new Error(`HTTP-Code: ${code}`), { code, headers });
  const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));
  const timed = (cluster: InMemoryCluster, maxRetries = 3) =>
    new ClusterCache(cluster, mockServices.logger.mock(), {
      pageSize: 10,
      backoffMs: 5,
      maxBackoffMs: 20,
      maxRetries,
      recheckMs: 400,
    });

  it('retries a 5xx with backoff at most maxRetries times, then only at the recheck pace, and heals', async () => {
    const { cluster } = setup(2);
    const cache = timed(cluster);
    cluster.setDown(httpError(503));
    cache.start();
    await sleep(150);
    // 1 attempt + 3 retries (5, 10, 20 ms), then nothing until the recheck at 400 ms.
    expect(cluster.pods.listCalls).toBe(4);
    expect(cache.status()).toMatchObject({
      state: 'error',
      lastErrorType: 'server-error',
    });
    cluster.setDown(undefined);
    await until(() => cache.status().state === 'synced', 'heal at recheck');
    expect(cluster.pods.listCalls).toBe(5);
    cache.stop();
  });

  it('never retries a 401 fast: one attempt, then the recheck', async () => {
    const { cluster } = setup(2);
    const cache = timed(cluster);
    cluster.setDown(httpError(401));
    cache.start();
    await sleep(150);
    expect(cluster.pods.listCalls).toBe(1);
    expect(cache.status().lastErrorType).toBe('unauthorized');
    cache.stop();
  });

  it('waits at least Retry-After (up to maxBackoffMs) after a 429', async () => {
    const { cluster } = setup(2);
    const cache = new ClusterCache(cluster, mockServices.logger.mock(), {
      backoffMs: 1,
      maxBackoffMs: 100,
      maxRetries: 5,
      recheckMs: 10_000,
    });
    // Retry-After 1 s, capped to 100 ms by maxBackoffMs.
    cluster.setDown(httpError(429, { 'retry-after': '1' }));
    cache.start();
    await sleep(250);
    // 1 + two retries at 100 ms each (not 1, 2, 4… ms).
    expect(cluster.pods.listCalls).toBe(3);
    cache.stop();
  });

  it('an expired continue token (410 on a later page) restarts the list: no duplicates, no ghosts', async () => {
    const { cluster } = setup(6);
    const cache = new ClusterCache(cluster, mockServices.logger.mock(), {
      pageSize: 2,
      backoffMs: 5,
      maxBackoffMs: 20,
    });
    const list = cluster.pods.list.bind(cluster.pods);
    let expired = false;
    cluster.pods.list = async options => {
      if (options.continueToken && !expired) {
        expired = true;
        // Meanwhile a pod of page one went and one appeared; the token expired.
        cluster.pods.remove(pod('p0'));
        cluster.pods.upsert(pod('p7'));
        throw httpError(410);
      }
      return list(options);
    };
    const added: string[] = [];
    cache.pods.subscribe((key, prev, next) => {
      if (!prev && next) added.push(key);
    });
    cache.start();
    await until(() => cache.status().state === 'synced', 'sync');
    const keys = ['ns/p1', 'ns/p2', 'ns/p3', 'ns/p4', 'ns/p5', 'ns/p7'];
    expect([...cache.pods.items.keys()].sort()).toEqual(keys);
    expect(added.sort()).toEqual(keys);
    expect(cache.pods.relists).toBe(1);
    cache.stop();
  });

  it('a watch ERROR event other than 410 ends in a failure with backoff, not an instant re-watch', async () => {
    const { cluster, cache } = setup(1);
    cache.start();
    await until(() => cache.status().state === 'synced', 'sync');
    const watches = cluster.pods.watchCalls;
    cluster.pods.watch = async (_rv, onEvent, onDone) => {
      setTimeout(() => {
        onEvent({ type: 'ERROR', object: { code: 500, message: 'etcd down' } });
        onDone();
      }, 1);
      return { stop: () => {} };
    };
    cluster.pods.cutWatches(new Error('socket hang up'));
    await until(
      () => cache.status().lastErrorType === 'server-error',
      'server-error',
    );
    await sleep(100);
    // Backoff 5, 10, 20, 20… ms: a handful of attempts in 100 ms, not hundreds.
    expect(cluster.pods.watchCalls - watches).toBeLessThan(12);
    // Each re-watch opens (so reads synced) for the 1 ms before its ERROR event: wait for the
    // failed state rather than sampling one instant that may fall in that window.
    await until(
      () =>
        cache.status().state === 'stale' &&
        cache.status().lastError === 'HTTP 500: etcd down',
      'stale with the watch error',
    );
    cache.stop();
  });

  it('a watch that starts only after its request timed out is closed, and no second loop runs', async () => {
    const { cluster } = setup(1);
    const cache = new ClusterCache(cluster, mockServices.logger.mock(), {
      backoffMs: 5,
      maxBackoffMs: 20,
      requestTimeoutMs: 20,
    });
    const watch = cluster.pods.watch.bind(cluster.pods);
    const stopped: boolean[] = [];
    let slow = true;
    cluster.pods.watch = async (rv, onEvent, onDone) => {
      const w = await watch(rv, onEvent, onDone);
      if (slow) {
        slow = false;
        await sleep(60); // answers after the 20 ms timeout
        const i = stopped.push(false) - 1;
        return {
          stop: () => {
            stopped[i] = true;
            w.stop();
          },
        };
      }
      return w;
    };
    cache.start();
    await until(() => cache.status().state === 'synced', 'sync');
    await sleep(80);
    expect(stopped).toEqual([true]);
    // Only the live watch sees events: one add, counted once.
    let adds = 0;
    cache.pods.subscribe((_k, prev, next) => {
      if (!prev && next) adds += 1;
    });
    cluster.pods.upsert(pod('late'));
    await until(() => cache.pods.items.has('ns/late'), 'event');
    await sleep(20);
    expect(adds).toBe(1);
    cache.stop();
  });
});
