import { postgresConnection } from '@internal/cloudlab-bench/src/load/loadDatabase';
import { labCluster } from '@internal/cloudlab-bench/src/load/portalBackend';
import {
  BundleProcess,
  deploymentEnvironment,
  runDatabase,
  startBundle,
  unpackBundle,
  waitReady,
} from '@internal/cloudlab-bench/src/portal/portalBundle';
import { labPaths } from '../paths';
import { describeLab, eventually } from './labFixture';

/**
 * Proof that the production bundle — `yarn build:backend`'s bundle.tar.gz unpacked as the image
 * unpacks it, started with the image's command (app-config.yaml, then
 * app-config.production.yaml) — runs as the Deployment runs it: two processes on one PostgreSQL
 * database, the cluster token and CA read from files (the lab's), both answering the Placement
 * route; the Flux catalog provider's scheduled refresh runs once per period across both (the
 * scheduler's lock in the shared database); a deployment missing a secret or its database exits
 * at start naming the key.
 *
 * A third configuration layer per process sets what the pod does not decide through the
 * production config: its loopback port, guest sign-in for the proof's requests (GitHub cannot be
 * reached), the repository folder as the GitOps tree with a short refresh period (the production
 * `flux` source follows revisions instead of a schedule).
 */

jest.setTimeout(900_000);

const paths = labPaths();
const PERIOD_SECONDS = 4;
const TASK_ID = 'cloudlab-flux:refresh';

const overlay = {
  auth: {
    providers: { guest: { dangerouslyAllowOutsideDevelopment: true } },
  },
  cloudlab: {
    // The repository's folder: the image holds no gitops/ (production reads Flux's artifacts).
    gitopsTree: { flux: null, local: { path: paths.root } },
  },
  catalog: {
    providers: {
      cloudlabFlux: {
        schedule: {
          // Layers merge: the production config's minutes are zeroed, not left in place.
          frequency: { minutes: 0, seconds: PERIOD_SECONDS },
          timeout: { seconds: 60 },
        },
      },
    },
  },
};

async function guestToken(p: BundleProcess): Promise<string> {
  const res = await fetch(`${p.baseUrl}/api/auth/guest/refresh`, {
    headers: { 'x-requested-with': 'XMLHttpRequest' },
  });
  if (!res.ok) throw new Error(`guest sign-in: ${res.status}`);
  return (await res.json()).backstageIdentity.token;
}

async function placement(p: BundleProcess) {
  const res = await fetch(
    `${p.baseUrl}/api/multi-provider/platform/placement`,
    {
      headers: { authorization: `Bearer ${await guestToken(p)}` },
    },
  );
  return { status: res.status, body: res.ok ? await res.json() : undefined };
}

describeLab('the production bundle, two replicas on one PostgreSQL', () => {
  let database: ReturnType<typeof runDatabase>;
  let dir: string;
  let env: Record<string, string>;
  const running: BundleProcess[] = [];

  beforeAll(async () => {
    const connection = postgresConnection(paths.root);
    database = runDatabase(connection, `cloudlab_portal_proof_${process.pid}`);
    await database.create();
    dir = unpackBundle(paths.root, 'proof');
    env = deploymentEnvironment({
      postgres: connection,
      database: database.name,
      cluster: labCluster(paths.root),
    });
  });

  afterAll(async () => {
    await Promise.all(running.map(p => p.stop()));
    await database?.drop();
  });

  it('exits at start naming the missing secret and database, and never listens', async () => {
    const { BACKEND_SECRET: _secret, POSTGRES_HOST: _host, ...partial } = env;
    const p = await startBundle({ dir, env: partial, overlay, name: 'bad' });
    running.push(p);
    const code = await Promise.race([
      p.exited,
      new Promise(r => setTimeout(r, 60_000)).then(() => 'still running'),
    ]);
    expect(code).not.toBe(0);
    expect(code).not.toBe('still running');
    expect(p.log()).toContain(
      'backend.auth.keys[0].secret needs BACKEND_SECRET',
    );
    expect(p.log()).toContain(
      'backend.database.connection.host needs POSTGRES_HOST',
    );
    await expect(
      fetch(`${p.baseUrl}/.backstage/health/v1/liveness`),
    ).rejects.toThrow();
  });

  it('runs two processes that both answer the Placement route from the lab', async () => {
    // One after the other, as a rollout starts them: the first creates the schemas.
    for (const replica of ['a', 'b']) {
      const p = await startBundle({ dir, env, overlay, name: replica });
      running.push(p);
      await waitReady(p);
    }
    const [a, b] = running.slice(-2);
    for (const p of [a, b]) {
      const answer = await eventually(
        `the Placement route of replica ${p.baseUrl}`,
        () => placement(p),
        r => r.status === 200 && (r.body?.clusters?.length ?? 0) > 0,
        r => JSON.stringify(r).slice(0, 500),
        120_000,
      );
      const nodes = JSON.stringify(answer.body);
      expect(nodes).toContain('hetzner');
      expect(nodes).toContain('scaleway');
    }
  });

  it("runs the Flux catalog provider's refresh once per period across both (the scheduler's lock)", async () => {
    // Each run sets the next start one period after it; runs by both replicas without the
    // lock would set it about twice per period.
    const starts = new Set<number>();
    const windowMs = PERIOD_SECONDS * 1000 * 8;
    const until = Date.now() + windowMs;
    while (Date.now() < until) {
      const next = await database.nextRunStart('catalog', TASK_ID);
      if (next) starts.add(next.getTime());
      await new Promise(r => setTimeout(r, 200));
    }
    expect(starts.size).toBeGreaterThanOrEqual(3);
    expect(starts.size).toBeLessThanOrEqual(
      windowMs / (PERIOD_SECONDS * 1000) + 1,
    );
    const sorted = [...starts].sort((x, y) => x - y);
    for (let i = 1; i < sorted.length; i++) {
      expect(sorted[i] - sorted[i - 1]).toBeGreaterThanOrEqual(
        PERIOD_SECONDS * 1000 * 0.9,
      );
    }
  });

  it('keeps answering from the other replica when one is killed', async () => {
    const [a, b] = running.slice(-2);
    await a.kill();
    const answer = await placement(b);
    expect(answer.status).toBe(200);
  });
});
