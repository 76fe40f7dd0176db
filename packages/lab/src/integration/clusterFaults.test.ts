import fs from 'node:fs';
import { describeLab, eventually, labFixture, LabFixture } from './labFixture';
import { labClusterConfig } from './__testUtils__/placementBackend';
import {
  Fault,
  faultProxy,
  FaultProxy,
  listAttempts,
  ProxyRequest,
} from './__testUtils__/faultProxy';
import { startMultiProviderBackend } from './__testUtils__/multiProviderBackend';

jest.setTimeout(300_000);

/**
 * Security property 8 (docs/security.md) against the lab's real API server: cluster B is the lab itself, cluster A
 * the same lab behind a fault-injecting HTTPS proxy. The backend's informer timing is shortened
 * (configuration `multiProvider.cache`) so each fault shows its whole retry schedule in seconds.
 */
const TIMING = {
  requestTimeoutMs: 2500,
  backoffMs: 100,
  maxBackoffMs: 1500,
  maxRetries: 3,
  recheckMs: 4000,
};
/** Retry-After the proxy sends with 429 (s): longer than any backoff delay before the cap. */
const RETRY_AFTER_S = 1;
/**
 * An answer is served from the caches and never waits on a request to a broken cluster: it
 * comes back sooner than such a request could time out (two shared, loaded cores).
 */
const ANSWER_MS = TIMING.requestTimeoutMs;
/** From the backend's start until all three answers carry cluster A's typed error. */
const TYPED_ERROR_WITHIN_MS = TIMING.requestTimeoutMs + 2500;
/** After the proxy returns to pass-through, A is `synced` again within. */
const HEAL_WITHIN_MS = TIMING.recheckMs + 10_000;

/** The delays the backend must wait between attempts: exponential, at least Retry-After. */
const expectedDelays = (retryAfterMs = 0) =>
  Array.from({ length: TIMING.maxRetries }, (_, i) =>
    Math.min(
      TIMING.maxBackoffMs,
      Math.max(TIMING.backoffMs * 2 ** i, retryAfterMs),
    ),
  );

interface Mode {
  name: string;
  fault: Fault;
  errorType: string;
  error: RegExp;
  /** Retried with backoff (else: one attempt per resource, checked again after recheckMs). */
  retried: boolean;
  retryAfterMs?: number;
  /** Extra time per attempt before it fails (the request timeout for a slow cluster). */
  perAttemptMs?: number;
}

const MODES: Mode[] = [
  {
    name: 'slow (answers after the request timeout)',
    fault: { kind: 'slow', delayMs: 2 * TIMING.requestTimeoutMs },
    errorType: 'timeout',
    error: /no answer within 2500 ms/,
    retried: true,
    perAttemptMs: TIMING.requestTimeoutMs,
  },
  {
    name: '401',
    fault: { kind: 'status', status: 401 },
    errorType: 'unauthorized',
    error: /^HTTP 401/,
    retried: false,
  },
  {
    name: '403',
    fault: { kind: 'status', status: 403 },
    errorType: 'forbidden',
    error: /^HTTP 403/,
    retried: false,
  },
  {
    name: '429 with Retry-After',
    fault: { kind: 'status', status: 429, retryAfterSeconds: RETRY_AFTER_S },
    errorType: 'rate-limited',
    error: /^HTTP 429/,
    retried: true,
    retryAfterMs: RETRY_AFTER_S * 1000,
  },
  ...[500, 502, 503].map(status => ({
    name: String(status),
    fault: { kind: 'status' as const, status },
    errorType: 'server-error',
    error: new RegExp(`^HTTP ${status}`),
    retried: true,
  })),
  {
    name: 'connection reset',
    fault: { kind: 'reset' },
    errorType: 'unreachable',
    error: /ECONNRESET|socket hang up/,
    retried: true,
  },
];

/** Cluster A at a host name that cannot resolve (no proxy: nothing to see on the wire). */
const UNRESOLVABLE = {
  name: 'unresolvable host',
  errorType: 'unreachable',
  error: /ENOTFOUND|EAI_AGAIN/,
};

/** The per-cluster entries of the placement, storage and GitOps platform answers. */
async function answers(backend: {
  get: (r: string) => Promise<{ body: any; ms: number }>;
}) {
  const routes = [
    '/platform/placement',
    '/platform/storage',
    '/platform/gitops',
  ];
  const out = await Promise.all(routes.map(r => backend.get(r)));
  return out.map((o, i) => ({
    route: routes[i],
    ms: o.ms,
    by: Object.fromEntries(
      (o.body.clusters as any[]).map(c => [c.cluster, c]),
    ) as Record<string, any>,
  }));
}

/** Per answer: its route, time, and the two clusters' state and error. */
type Backend = Awaited<ReturnType<typeof startMultiProviderBackend>>;

const show = (all: Awaited<ReturnType<typeof answers>>) =>
  JSON.stringify(
    all.map(x => ({
      route: x.route,
      ms: x.ms,
      ...Object.fromEntries(
        Object.entries(x.by).map(([name, c]) => [
          name,
          { state: c.state, errorType: c.errorType, error: c.error },
        ]),
      ),
    })),
  );

describeLab(
  'property 8: one faulty cluster beside the lab, through a fault-injecting proxy',
  () => {
    let lab: LabFixture;
    let proxy: FaultProxy;
    const timings: string[] = [];

    beforeAll(async () => {
      lab = await labFixture();
      const direct = new URL(labClusterConfig(lab.paths).url);
      proxy = await faultProxy(direct, fs.readFileSync(lab.paths.caCert));
    });

    afterAll(async () => {
      await proxy?.close();
      // The figures the docs quote (docs/security.md, property 8).
      // eslint-disable-next-line no-console
      console.log(`property 8 timings:\n${timings.join('\n')}`);
    });

    /**
     * Steps 1 and 2 of every mode: A's typed error in all three answers within the bound, B's
     * data beside it, every answer quick. Returns how long the typed error took.
     */
    async function expectIsolated(
      backend: Backend,
      mode: { errorType: string; error: RegExp },
      t0: number,
    ) {
      // 1. A's typed error in all three answers, within the stated bound.
      const first = await eventually(
        "A's typed error in the placement, storage and GitOps answers",
        () => answers(backend),
        all => all.every(x => x.by.a?.errorType === mode.errorType),
        show,
        TYPED_ERROR_WITHIN_MS + 5000,
      );
      const typedAfter = Date.now() - t0;
      expect(typedAfter).toBeLessThan(TYPED_ERROR_WITHIN_MS);

      // 2. B's data beside it, answered from the caches.
      const settled = await eventually(
        'B synced in every answer while A is broken',
        () => answers(backend),
        all => all.every(x => x.by.b?.state === 'synced'),
        show,
        60_000,
      );
      for (const x of settled) {
        expect(x.ms).toBeLessThan(ANSWER_MS);
        expect(x.by.a).toMatchObject({
          state: 'error',
          errorType: mode.errorType,
          error: expect.stringMatching(mode.error),
        });
        expect(x.by.b.error).toBeUndefined();
      }
      const [placement, storage] = settled;
      expect(placement.by.b.providers.map((p: any) => p.name).sort()).toEqual([
        'hetzner',
        'scaleway',
      ]);
      expect(placement.by.a.providers).toEqual([]);
      expect(storage.by.b.storageClasses.length).toBeGreaterThan(0);
      expect(first).toBeDefined();
      return typedAfter;
    }

    it.each(MODES)(
      'cluster A $name: B answers, A has a typed error, retries are disciplined on the wire, A heals',
      async mode => {
        const b = { ...labClusterConfig(lab.paths), name: 'b' };
        const a = { ...b, name: 'a', url: proxy.url, caData: proxy.caData };
        proxy.set(mode.fault);
        proxy.log.splice(0);
        const backend = await startMultiProviderBackend(lab.paths, [b, a], {
          cache: TIMING,
        });
        const t0 = Date.now();
        try {
          const typedAfter = await expectIsolated(backend, mode, t0);

          // 3. The wire: only reads; retries only where allowed, capped, with the backoff.
          const delays = expectedDelays(mode.retryAfterMs);
          const per = mode.perAttemptMs ?? 0;
          const allowed = mode.retried ? 1 + TIMING.maxRetries : 1;
          const pathsOf = (log: ProxyRequest[]) => [
            ...new Set(log.map(r => r.path)),
          ];
          // Every resource's loop (nodes, pods, the storage and GitOps kinds) reaches its last
          // allowed attempt…
          const reached = await eventually(
            'every resource to use its allowed attempts',
            async () => [...proxy.log],
            log =>
              pathsOf(log).length > 2 &&
              pathsOf(log).every(p => listAttempts(log, p).count >= allowed),
            log =>
              pathsOf(log)
                .map(p => `${p}: ${listAttempts(log, p).count}`)
                .join(', '),
            60_000,
          );
          // …and then stays quiet until the recheck (which comes recheckMs after the last failure).
          const lastAt = Math.max(...reached.map(r => r.at));
          const quietUntil = lastAt + per + TIMING.recheckMs * 0.6;
          await new Promise(r =>
            setTimeout(r, Math.max(0, quietUntil - Date.now())),
          );
          const seen = proxy.log.filter(r => r.at <= quietUntil);
          expect(seen.every(r => r.method === 'GET')).toBe(true);
          expect(seen.some(r => r.watch)).toBe(false);
          const paths = pathsOf(seen);
          expect(paths).toEqual(
            expect.arrayContaining(['/api/v1/nodes', '/api/v1/pods']),
          );
          for (const p of paths) {
            const { count, gaps } = listAttempts(seen, p);
            expect({ p, count }).toEqual({ p, count: allowed });
            gaps.forEach((gap, i) => {
              // Never sooner than the backoff (and Retry-After) asks: no hot loop. How much
              // later is the machine's timing, not the backend's behaviour: the count of
              // attempts inside the quiet window above is what shows it kept retrying.
              expect({ p, i, gap, ok: gap >= delays[i] - 25 }).toEqual({
                p,
                i,
                gap,
                ok: true,
              });
            });
            // A timed-out attempt's clock starts before its request reaches the proxy (TLS, some
            // forty loops connecting at once in this one process: the first wave can be seconds
            // late), so the timeouts show in the whole span, less one timeout of slack:
            // retries that did not wait for the timeout would span only the backoff.
            const span = gaps.reduce((sum, g) => sum + g, 0);
            const spanLeast =
              allowed > 1
                ? delays.reduce((sum, d) => sum + d, 0) +
                  (TIMING.maxRetries - 1) * per -
                  25
                : 0;
            expect({ p, span, ok: span >= spanLeast }).toEqual({
              p,
              span,
              ok: true,
            });
          }
          const pods = listAttempts(seen, '/api/v1/pods');
          timings.push(
            `${mode.name}: typed error after ${typedAfter} ms; /api/v1/pods ${
              pods.count
            } attempts, gaps ${pods.gaps.join('/')} ms`,
          );

          // 4. Heals once the proxy passes requests through again.
          proxy.set({ kind: 'pass' });
          const healStart = Date.now();
          await eventually(
            'A synced again in every answer',
            () => answers(backend),
            all => all.every(x => x.by.a?.state === 'synced'),
            show,
            HEAL_WITHIN_MS + 5000,
          );
          const healed = Date.now() - healStart;
          expect(healed).toBeLessThan(HEAL_WITHIN_MS);
          timings[
            timings.length - 1
          ] += `; healed ${healed} ms after pass-through`;
          const after = await answers(backend);
          expect(
            after[0].by.a.providers.map((p: any) => p.name).sort(),
          ).toEqual(['hetzner', 'scaleway']);
          expect(after[0].by.a.error).toBeUndefined();
        } finally {
          await backend.stop();
        }
      },
    );

    it(`cluster A ${UNRESOLVABLE.name}: B answers, A has a typed error`, async () => {
      const b = { ...labClusterConfig(lab.paths), name: 'b' };
      const a = { ...b, name: 'a', url: 'https://cluster-a.invalid:6443' };
      const backend = await startMultiProviderBackend(lab.paths, [b, a], {
        cache: TIMING,
      });
      try {
        const typedAfter = await expectIsolated(
          backend,
          UNRESOLVABLE,
          Date.now(),
        );
        expect(typedAfter).toBeLessThan(TYPED_ERROR_WITHIN_MS);
        timings.push(
          `${UNRESOLVABLE.name}: typed error after ${typedAfter} ms`,
        );
      } finally {
        await backend.stop();
      }
    });

    it('cluster A passing through: both clusters synced with the same data, each list issued once', async () => {
      proxy.set({ kind: 'pass' });
      proxy.log.splice(0);
      const b = { ...labClusterConfig(lab.paths), name: 'b' };
      const a = { ...b, name: 'a', url: proxy.url, caData: proxy.caData };
      const backend = await startMultiProviderBackend(lab.paths, [b, a], {
        cache: TIMING,
      });
      try {
        const all = await eventually(
          'both synced',
          () => answers(backend),
          v =>
            v.every(
              x => x.by.a?.state === 'synced' && x.by.b?.state === 'synced',
            ),
          show,
          60_000,
        );
        const names = (c: any) => c.providers.map((p: any) => p.name).sort();
        expect(names(all[0].by.a)).toEqual(names(all[0].by.b));
        const pods = listAttempts(proxy.log, '/api/v1/pods');
        expect(pods.count).toBeGreaterThanOrEqual(1);
        // Every list page answered by the real API server, no retry needed.
        expect(
          proxy.log
            .filter(r => r.path === '/api/v1/pods' && !r.watch)
            .every(r => r.status === 200),
        ).toBe(true);
        expect(proxy.log.some(r => r.watch && r.status === 200)).toBe(true);
      } finally {
        await backend.stop();
      }
    });
  },
);
