import { componentSpecs } from '../controlPlane/components';
import { isRunning, readPid } from '../controlPlane/processes';
import {
  createTestNamespace,
  describeLab,
  eventually,
  labFixture,
  LabFixture,
  labSettled,
} from './labFixture';
import { faultProxy, FaultProxy } from './__testUtils__/faultProxy';
import { startMultiProviderBackend } from './__testUtils__/multiProviderBackend';
import { labClusterConfig } from './__testUtils__/placementBackend';
import fs from 'node:fs';

jest.setTimeout(300_000);

/** The backend's idle deadline here: short, so a stall shows within seconds. */
const IDLE_DEADLINE_MS = 8000;
/** How much later than the deadline the cluster may turn stale. */
const DETECTION_SLACK_MS = 5000;
const CACHE = {
  idleDeadlineMs: IDLE_DEADLINE_MS,
  backoffMs: 200,
  maxBackoffMs: 2000,
  requestTimeoutMs: 3000,
  recheckMs: 5000,
};

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

/** A bare pod the scheduler places on any lab node, selected by the test entity. */
const subjectPod = (name: string, app: string) => ({
  metadata: { name, labels: { app, 'lab-test': 'watch-idle' } },
  spec: {
    automountServiceAccountToken: false,
    containers: [{ name: 'app', image: 'lab-app:never-pulled' }],
  },
});

const entityFor = (app: string, namespace: string) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: app,
    namespace: 'default',
    annotations: {
      'backstage.io/kubernetes-label-selector': `app=${app}`,
      'backstage.io/kubernetes-namespace': namespace,
    },
  },
  spec: {
    type: 'service',
    lifecycle: 'experimental',
    owner: 'group:default/platform',
  },
});

type Backend = Awaited<ReturnType<typeof startMultiProviderBackend>>;

/** The cluster's placement of the entity, as the portal's Placement tab reads it. */
async function placementOf(backend: Backend, app: string, cluster: string) {
  const { body } = await backend.get(
    `/entity/default/component/${app}/placement`,
  );
  return (body.clusters as any[]).find(c => c.cluster === cluster);
}

/** Polls `GET /clusters` every 250 ms until `cluster` is in `state`; the time it took. */
async function timeUntilState(
  backend: Backend,
  cluster: string,
  state: string,
  timeoutMs: number,
): Promise<{ ms: number; status: any }> {
  const t0 = Date.now();
  let last: any;
  while (Date.now() - t0 < timeoutMs) {
    const { body } = await backend.get('/clusters');
    last = (body.clusters as any[]).find(c => c.name === cluster);
    if (last?.state === state) return { ms: Date.now() - t0, status: last };
    await sleep(250);
  }
  throw new Error(
    `${cluster} not ${state} within ${timeoutMs} ms; last seen ${JSON.stringify(
      last,
    )}`,
  );
}

describeLab('live means live: a silent watch turns the cluster stale', () => {
  let lab: LabFixture;
  const namespace = `lab-test-watch-idle-${Date.now().toString(36)}`;
  const figures: string[] = [];
  /** The API server's process while it is stopped; resumed in every path out of a test. */
  let stoppedPid: number | undefined;
  const resume = () => {
    if (stoppedPid === undefined) return;
    process.kill(stoppedPid, 'SIGCONT');
    stoppedPid = undefined;
  };

  beforeAll(async () => {
    lab = await labFixture();
    await createTestNamespace(lab.clients, namespace);
  });

  afterAll(async () => {
    resume();
    // The API server was frozen: the lab runs a workload again before the next suite.
    await labSettled(lab);
    await lab.clients.core
      .deleteNamespace({ name: namespace })
      .catch(() => undefined);
    // eslint-disable-next-line no-console
    console.log(`live means live figures:\n${figures.join('\n')}`);
  });

  it('kube-apiserver stopped (SIGSTOP) past the deadline: stale within deadline + 5 s on /clusters and the Placement route; resumed (SIGCONT): synced with the pod created meanwhile', async () => {
    const spec = componentSpecs(lab.paths)['kube-apiserver'];
    const pid = readPid(lab.paths.pids, 'kube-apiserver');
    // Only ever the lab's own API server process (its pid file and binary both agree).
    if (!isRunning(pid, spec.bin))
      throw new Error(
        `the lab's kube-apiserver is not running as ${spec.bin} (pid ${pid}): run from the checkout that started the lab, or set CLOUDLAB_ROOT to it`,
      );
    const app = 'watch-idle-stop';
    await lab.clients.core.createNamespacedPod({
      namespace,
      body: subjectPod(`${app}-1`, app),
    });
    const backend = await startMultiProviderBackend(
      lab.paths,
      [{ ...labClusterConfig(lab.paths), authProvider: 'serviceAccount' }],
      { cache: CACHE },
      [entityFor(app, namespace)],
    );
    try {
      await timeUntilState(backend, 'lab', 'synced', 60_000);
      expect((await placementOf(backend, app, 'lab')).podCount).toBe(1);

      let created: Promise<unknown> | undefined;
      const stoppedAt = Date.now();
      try {
        process.kill(pid!, 'SIGSTOP');
        stoppedPid = pid;
        // Made while the server is frozen: the request waits in its socket and lands on resume.
        created = lab.clients.core
          .createNamespacedPod({
            namespace,
            body: subjectPod(`${app}-2`, app),
          })
          .catch(err => err);
        const { ms: detected, status } = await timeUntilState(
          backend,
          'lab',
          'stale',
          IDLE_DEADLINE_MS + DETECTION_SLACK_MS,
        );
        expect(status.staleSince).toBeDefined();
        expect(Date.parse(status.staleSince)).toBeGreaterThanOrEqual(
          stoppedAt - 1000,
        );
        expect(status.lastErrorType).toBe('timeout');
        const placement = await placementOf(backend, app, 'lab');
        expect(placement).toMatchObject({ state: 'stale' });
        expect(placement.staleSince).toBeDefined();
        // Answered from the cache while stale: what was known before the stall.
        expect(placement.podCount).toBe(1);
        figures.push(
          `SIGSTOP: stale after ${detected} ms (idle deadline ${IDLE_DEADLINE_MS} ms, polled every 250 ms)`,
        );
        // Stays stale while stopped: the reconnects get no answer.
        await sleep(2 * CACHE.requestTimeoutMs);
        expect((await placementOf(backend, app, 'lab')).state).toBe('stale');
      } finally {
        resume();
      }
      const createdResult = await created;
      expect(createdResult).not.toBeInstanceOf(Error);
      const t0 = Date.now();
      const back = await eventually(
        'synced again, with the pod created meanwhile',
        () => placementOf(backend, app, 'lab'),
        p => p.state === 'synced' && p.podCount === 2,
        p =>
          JSON.stringify({
            state: p.state,
            podCount: p.podCount,
            error: p.error,
          }),
        60_000,
      );
      expect(back.staleSince).toBeUndefined();
      figures.push(
        `SIGCONT: synced with the change ${Date.now() - t0} ms after resume`,
      );
    } finally {
      resume();
      await backend.stop();
    }
  });

  describe('through the fault proxy', () => {
    let proxy: FaultProxy;

    beforeAll(async () => {
      proxy = await faultProxy(
        new URL(labClusterConfig(lab.paths).url),
        fs.readFileSync(lab.paths.caCert),
      );
    });

    afterAll(async () => {
      await proxy?.close();
    });

    it('watch connections held open and silent: stale within deadline + 5 s; streams again: synced with the pod created meanwhile', async () => {
      const app = 'watch-idle-proxy';
      await lab.clients.core.createNamespacedPod({
        namespace,
        body: subjectPod(`${app}-1`, app),
      });
      const backend = await startMultiProviderBackend(
        lab.paths,
        [
          {
            ...labClusterConfig(lab.paths, {
              name: 'proxied',
              url: proxy.url,
              caData: proxy.caData,
            }),
            authProvider: 'serviceAccount',
          },
        ],
        { cache: CACHE },
        [entityFor(app, namespace)],
      );
      try {
        await timeUntilState(backend, 'proxied', 'synced', 60_000);
        // New watches wait at the proxy (as at a frozen server); the running ones go silent.
        proxy.set({ kind: 'hold' }, r => r.watch);
        const silenced = proxy.freezeStreams();
        expect(silenced).toBeGreaterThanOrEqual(2);
        const frozenAt = Date.now();
        const { ms: detected, status } = await timeUntilState(
          backend,
          'proxied',
          'stale',
          IDLE_DEADLINE_MS + DETECTION_SLACK_MS,
        );
        expect(Date.parse(status.staleSince)).toBeGreaterThanOrEqual(
          frozenAt - 1000,
        );
        expect(status.lastErrorType).toBe('timeout');
        figures.push(
          `silent proxy: stale after ${detected} ms (${silenced} watch streams silenced)`,
        );
        // The API server itself is fine: the change lands at once, the cache cannot see it.
        await lab.clients.core.createNamespacedPod({
          namespace,
          body: subjectPod(`${app}-2`, app),
        });
        const stale = await placementOf(backend, app, 'proxied');
        expect(stale).toMatchObject({ state: 'stale', podCount: 1 });

        proxy.set({ kind: 'pass' });
        proxy.release();
        const t0 = Date.now();
        await eventually(
          'synced again, with the pod created meanwhile',
          () => placementOf(backend, app, 'proxied'),
          p => p.state === 'synced' && p.podCount === 2,
          p =>
            JSON.stringify({
              state: p.state,
              podCount: p.podCount,
              error: p.error,
            }),
          60_000,
        );
        figures.push(
          `silent proxy released: synced with the change ${
            Date.now() - t0
          } ms later`,
        );
      } finally {
        proxy.set({ kind: 'pass' });
        proxy.release();
        await backend.stop();
      }
    });
  });
});
