import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import YAML from 'yaml';
import { z } from 'zod';
import type { HeapSample } from './memoryReporter';
import type {
  ProbeFinish,
  ProbeFinished,
  ProbeReport,
  ProbeStart,
  ProbeStarted,
  ProbeStop,
} from './stallProbe';

/** The lab's cluster as the portal configures it (scripts/start.sh writes the same block). */
export interface LabCluster {
  url: string;
  tokenFile: string;
  caFile: string;
}

/** The running lab's API server URL, CA and portal token files under `<root>/.cache/lab`. */
export function labCluster(root: string): LabCluster {
  const state = path.join(root, '.cache', 'lab');
  const url = path.join(state, 'apiserver-url');
  if (!fs.existsSync(url)) {
    throw new Error(`no running lab (${url} missing): run yarn lab up`);
  }
  return {
    url: fs.readFileSync(url, 'utf8').trim(),
    tokenFile: path.join(state, 'portal-token'),
    caFile: path.join(state, 'ca.crt'),
  };
}

/** A free loopback TCP port (asked of the kernel, released at once). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * The configuration layered over app-config.yaml: loopback port, the lab cluster (token read by
 * the backend from its file), and the catalog's own locations plus the caller's entities, if any.
 */
export function loadTestConfig(options: {
  root: string;
  port: number;
  cluster: LabCluster;
  /** A file of Component, Group and User entities added to the catalog's locations. */
  entitiesFile?: string;
  /** The `backend.database` block (loadDatabase.ts). */
  database: object;
}): object {
  const base = YAML.parse(
    fs.readFileSync(path.join(options.root, 'app-config.yaml'), 'utf8'),
  );
  const baseUrl = `http://127.0.0.1:${options.port}`;
  return {
    backend: {
      baseUrl,
      listen: { port: options.port, host: '127.0.0.1' },
      database: options.database,
    },
    kubernetes: {
      serviceLocatorMethod: { type: 'multiTenant' },
      clusterLocatorMethods: [
        {
          type: 'config',
          clusters: [
            {
              name: 'lab',
              url: options.cluster.url,
              authProvider: 'serviceAccount',
              serviceAccountToken: { $file: options.cluster.tokenFile },
              caData: fs
                .readFileSync(options.cluster.caFile)
                .toString('base64'),
            },
          ],
        },
      ],
    },
    // The load test signs in as the guest, as the local portal does; the backend runs in
    // production mode (compact JSON, JSON logs), where the guest provider must be allowed.
    auth: {
      providers: { guest: { dangerouslyAllowOutsideDevelopment: true } },
    },
    catalog: {
      // Configuration arrays replace, not merge: keep the portal's locations, add ours.
      locations: [
        ...(base.catalog?.locations ?? []),
        ...(options.entitiesFile
          ? [
              {
                type: 'file',
                target: options.entitiesFile,
                rules: [{ allow: ['Component', 'Group', 'User'] }],
              },
            ]
          : []),
      ],
    },
  };
}

const refreshSchema = z.object({
  backstageIdentity: z.object({ token: z.string().min(1) }),
});

/** A sample of the backend's memory. */
export interface MemorySample {
  rssBytes: number;
  heapUsedBytes: number;
}

/** The portal backend running as its own process, with its memory observed from outside. */
export interface PortalBackend {
  baseUrl: string;
  pid: number;
  logFile: string;
  /** A guest user's Backstage token, issued by the backend's auth plugin. */
  token: string;
  /**
   * GET of a route with the guest token: the JSON body, `undefined` on 404, an error naming the
   * route, the status, the body and the backend's log otherwise.
   */
  getJson<T = any>(route: string): Promise<T | undefined>;
  /** Latest RSS (from /proc/<pid>/status) and heap (from the preloaded reporter). */
  latest(): MemorySample;
  /** Starts a new high-water window: resets the kernel's peak RSS and the heap peak. */
  resetPeaks(): void;
  /** Peak RSS (kernel VmHWM) and peak heap since the last reset. */
  peaks(): MemorySample;
  /** Highest sampled RSS and heap since `mark()`: an idle phase's footprint. */
  mark(): void;
  sinceMark(): MemorySample;
  /**
   * Starts the in-process probe for a phase: event-loop delay, GC pauses, stall windows, and
   * the CPU profiler if it is not running yet (stallProbe.ts).
   */
  startProbe(start: Omit<ProbeStart, 'type'>): Promise<void>;
  /** Stops the phase's probe; resolves to what it saw. */
  stopProbe(phase: string): Promise<ProbeReport>;
  /** Stops the CPU profiler and has the backend write the profile of every phase. */
  finishProbe(profileFile: string): Promise<ProbeFinished>;
  stop(): Promise<void>;
}

function procStatus(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = status.match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'));
  if (!m) throw new Error(`/proc/${pid}/status has no ${field}`);
  return Number(m[1]) * 1024;
}

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

async function until<T>(
  what: string,
  timeoutMs: number,
  probe: () => Promise<T | undefined>,
  child: ChildProcess,
  logFile: string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(
        `the backend exited (${child.exitCode}) while waiting for ${what}; log: ${logFile}`,
      );
    }
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${
          timeoutMs / 1000
        }s waiting for ${what}; log: ${logFile}`,
      );
    }
    await sleep(500);
  }
}

/**
 * Starts the portal backend (packages/backend/src/index.ts, every plugin it ships, the real
 * auth, permission policy and catalog) on loopback against the lab, in production mode
 * (NODE_ENV=production: compact JSON answers, JSON logs; sources transpiled on load). Resolves once it is ready, its caches
 * are synced and the catalog holds every entity in `entities`.
 */
export async function startPortalBackend(options: {
  root: string;
  workDir: string;
  /** Entities awaited in the catalog before the backend counts as started. */
  entities?: Array<{ kind: string; namespace: string; name: string }>;
  /** Entities of the caller's own, added as a catalog location. */
  entitiesYaml?: string;
  timeoutMs?: number;
  /** Writes a V8 CPU profile of the backend into `<workDir>/profile` when it stops. */
  cpuProfile?: boolean;
  /** A configuration file layered over the others. */
  extraConfig?: string;
  /** The `backend.database` block (loadDatabase.ts). */
  database: object;
}): Promise<PortalBackend> {
  const { root, workDir } = options;
  const timeoutMs = options.timeoutMs ?? 180_000;
  fs.mkdirSync(workDir, { recursive: true });
  let entitiesFile: string | undefined;
  if (options.entitiesYaml !== undefined) {
    entitiesFile = path.join(workDir, 'entities.yaml');
    fs.writeFileSync(entitiesFile, options.entitiesYaml);
  }
  const port = await freePort();
  const configFile = path.join(workDir, 'app-config.load.yaml');
  fs.writeFileSync(
    configFile,
    YAML.stringify(
      loadTestConfig({
        root,
        port,
        cluster: labCluster(root),
        entitiesFile,
        database: options.database,
      }),
    ),
  );
  const logFile = path.join(workDir, 'backend.log');
  const log = fs.openSync(logFile, 'w');
  const backendDir = path.join(root, 'packages', 'backend');
  const child = spawn(
    process.execPath,
    [
      ...(options.cpuProfile
        ? ['--cpu-prof', `--cpu-prof-dir=${path.join(workDir, 'profile')}`]
        : []),
      '--require',
      require.resolve('@backstage/cli/config/nodeTransform.cjs'),
      '--require',
      resolvePackagePath(
        '@internal/cloudlab-bench',
        'src/load/memoryReporter.ts',
      ),
      '--require',
      resolvePackagePath('@internal/cloudlab-bench', 'src/load/stallProbe.ts'),
      'src/index.ts',
      '--config',
      path.join(root, 'app-config.yaml'),
      '--config',
      configFile,
      ...(options.extraConfig ? ['--config', options.extraConfig] : []),
    ],
    {
      cwd: backendDir,
      env: { ...process.env, NODE_ENV: 'production' },
      stdio: ['ignore', log, log, 'ipc'],
    },
  );
  fs.closeSync(log);
  const pid = child.pid!;
  let heap = 0;
  let heapPeak = 0;
  let rssMark = 0;
  let heapMark = 0;
  // Answers of the stall probe awaited, by message type and phase.
  type ProbeAnswer = ProbeReport | ProbeStarted | ProbeFinished;
  const awaited = new Map<string, (m: ProbeAnswer) => void>();
  child.on('message', (m: HeapSample | ProbeAnswer) => {
    if (m?.type === 'probe-finished') {
      awaited.get(m.type)?.(m);
      return;
    }
    if (m?.type === 'probe-report' || m?.type === 'probe-started') {
      awaited.get(`${m.type} ${m.phase}`)?.(m);
      return;
    }
    if (m?.type !== 'heap') return;
    heap = m.heapUsed;
    heapPeak = Math.max(heapPeak, heap);
    heapMark = Math.max(heapMark, heap);
  });
  // RSS every 100 ms from /proc (the kernel's VmHWM catches what falls between samples).
  const rssTimer = setInterval(() => {
    try {
      rssMark = Math.max(rssMark, procStatus(pid, 'VmRSS'));
    } catch {
      // the process is gone; `until` and `stop` report it
    }
  }, 100);
  rssTimer.unref();
  const baseUrl = `http://127.0.0.1:${port}`;
  const exited = new Promise<void>(resolve =>
    child.once('exit', () => resolve()),
  );

  const stop = async () => {
    clearInterval(rssTimer);
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      const killed = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(killed);
    }
  };

  const probeAnswer = <T extends ProbeAnswer>(
    type: T['type'],
    phase?: string,
  ) =>
    new Promise<T>((resolve, reject) => {
      const key = phase === undefined ? type : `${type} ${phase}`;
      const timer = setTimeout(() => {
        awaited.delete(key);
        reject(new Error(`the backend's probe sent no ${key}`));
      }, 60_000);
      awaited.set(key, m => {
        clearTimeout(timer);
        awaited.delete(key);
        resolve(m as T);
      });
    });

  let token = '';
  try {
    await until(
      'readiness',
      timeoutMs,
      async () =>
        (
          await fetch(`${baseUrl}/.backstage/health/v1/readiness`)
        ).ok
          ? true
          : undefined,
      child,
      logFile,
    );
    token = await until(
      'a guest token',
      timeoutMs,
      async () => {
        const res = await fetch(`${baseUrl}/api/auth/guest/refresh`, {
          headers: { 'x-requested-with': 'XMLHttpRequest' },
        });
        if (!res.ok) return undefined;
        return refreshSchema.parse(await res.json()).backstageIdentity.token;
      },
      child,
      logFile,
    );
    const auth = { authorization: `Bearer ${token}` };
    await until(
      'the multi-provider caches to sync',
      timeoutMs,
      async () => {
        const res = await fetch(`${baseUrl}/api/multi-provider/clusters`, {
          headers: auth,
        });
        const body = (await res.json()) as {
          clusters: Array<{ state: string }>;
        };
        return body.clusters.length > 0 &&
          body.clusters.every(c => c.state === 'synced')
          ? true
          : undefined;
      },
      child,
      logFile,
    );
    for (const e of options.entities ?? []) {
      await until(
        `${e.kind}:${e.namespace}/${e.name} in the catalog`,
        timeoutMs,
        async () =>
          (
            await fetch(
              `${baseUrl}/api/catalog/entities/by-name/${e.kind}/${e.namespace}/${e.name}`,
              { headers: auth },
            )
          ).ok
            ? true
            : undefined,
        child,
        logFile,
      );
    }
  } catch (err) {
    await stop();
    throw err;
  }

  return {
    baseUrl,
    pid,
    logFile,
    token,
    async getJson<T>(route: string): Promise<T | undefined> {
      const res = await fetch(`${baseUrl}${route}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      if (res.status === 404) return undefined;
      if (!res.ok) {
        throw new Error(
          `GET ${route}: HTTP ${
            res.status
          } ${await res.text()} (log: ${logFile})`,
        );
      }
      return (await res.json()) as T;
    },
    latest: () => ({ rssBytes: procStatus(pid, 'VmRSS'), heapUsedBytes: heap }),
    resetPeaks() {
      // Writing 5 to clear_refs resets the kernel's peak RSS (VmHWM) to the current RSS.
      fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
      heapPeak = heap;
    },
    peaks: () => ({
      rssBytes: procStatus(pid, 'VmHWM'),
      heapUsedBytes: heapPeak,
    }),
    mark() {
      rssMark = procStatus(pid, 'VmRSS');
      heapMark = heap;
    },
    sinceMark: () => ({ rssBytes: rssMark, heapUsedBytes: heapMark }),
    async startProbe(start) {
      const answer = probeAnswer<ProbeStarted>('probe-started', start.phase);
      const m: ProbeStart = { type: 'probe-start', ...start };
      child.send(m);
      const started = await answer;
      if (started.error) {
        throw new Error(`the backend's probe did not start: ${started.error}`);
      }
    },
    stopProbe(phase) {
      const answer = probeAnswer<ProbeReport>('probe-report', phase);
      const m: ProbeStop = { type: 'probe-stop', phase };
      child.send(m);
      return answer;
    },
    finishProbe(profileFile) {
      const answer = probeAnswer<ProbeFinished>('probe-finished');
      const m: ProbeFinish = { type: 'probe-finish', profileFile };
      child.send(m);
      return answer;
    },
    stop,
  };
}
