import { mockServices } from '@backstage/backend-test-utils';
import { InMemoryCluster } from './InMemoryClusterSource';
import { ClusterCache } from './ClusterCache';

/** What @kubernetes/client-node throws for an HTTP error answer. */
const apiException = (
  code: number,
  headers: Record<string, string> = {},
  message = 'nope',
) =>
  Object.assign(new Error(`HTTP-Code: ${code}\nMessage: x\nHeaders: {}`), {
    code,
    body: { kind: 'Status', message },
    headers,
  });

describe('the cache follows the discipline', () => {
  const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));
  function setup() {
    const cluster = new InMemoryCluster('c1');
    const cache = new ClusterCache(cluster, mockServices.logger.mock(), {
      backoffMs: 10,
      maxBackoffMs: 40,
      requestTimeoutMs: 200,
      recheckMs: 60_000,
      // The cap on retries has its own test (ClusterCache.test.ts); here ~9 backoffs fit in the
      // 300 ms a test waits, so the default cap (8) would turn a retry test into a recheck wait.
      maxRetries: 100,
    });
    return { cluster, cache };
  }

  it('does not retry a 401: one list call, a typed error, and it stays that way', async () => {
    const { cluster, cache } = setup();
    cluster.setDown(apiException(401, {}, 'Unauthorized'));
    cache.start();
    await sleep(300);
    expect(cluster.pods.listCalls).toBe(1);
    expect(cache.status()).toMatchObject({
      state: 'error',
      lastErrorType: 'unauthorized',
      lastError: 'HTTP 401: Unauthorized',
    });
    cache.stop();
  });

  it('retries a 503 with capped backoff, then syncs once the cluster answers', async () => {
    const { cluster, cache } = setup();
    cluster.setDown(apiException(503));
    cache.start();
    await sleep(300);
    // 10, 20, 40, 40, 40 ... ms: several retries, none faster than the backoff allows.
    expect(cluster.pods.listCalls).toBeGreaterThanOrEqual(4);
    expect(cluster.pods.listCalls).toBeLessThanOrEqual(12);
    expect(cache.status().lastErrorType).toBe('server-error');
    cluster.setDown(undefined);
    for (let i = 0; i < 100 && cache.status().state !== 'synced'; i++)
      await sleep(10);
    expect(cache.status().state).toBe('synced');
    cache.stop();
  });

  it('honours Retry-After on a 429 up to the cap', async () => {
    const { cluster, cache } = setup();
    cluster.setDown(apiException(429, { 'retry-after': '1' })); // 1 s, capped at 40 ms
    cache.start();
    await sleep(150);
    expect(cluster.pods.listCalls).toBeGreaterThanOrEqual(2);
    expect(cache.status().lastErrorType).toBe('rate-limited');
    cache.stop();
  });

  it('turns a list that never answers into a timeout error', async () => {
    const { cluster, cache } = setup();
    cluster.pods.list = () => new Promise(() => {});
    cache.start();
    await sleep(350);
    expect(cache.status()).toMatchObject({
      state: 'error',
      lastErrorType: 'timeout',
    });
    cache.stop();
  });
});
