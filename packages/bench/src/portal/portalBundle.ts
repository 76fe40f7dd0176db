import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import knexFactory from 'knex';
import YAML from 'yaml';
import { freePort, LabCluster } from '../load/portalBackend';

/** What `yarn build:backend` writes (Backstage's backend bundle). */
export function bundlePaths(root: string) {
  const dist = path.join(root, 'packages', 'backend', 'dist');
  return {
    bundle: path.join(dist, 'bundle.tar.gz'),
    skeleton: path.join(dist, 'skeleton.tar.gz'),
  };
}

/**
 * What the image copies next to the bundle (Dockerfile): the production config reads them
 * relative to its working directory.
 */
const IMAGE_LAYOUT = [
  'app-config.yaml',
  'app-config.production.yaml',
  'providers',
  'catalog-info.yaml',
  'mkdocs.yml',
  'catalog',
  'templates',
  'docs',
  '.cache/crds',
];

/** The validator the scaffolder runs: a folder holds one binary per source hash, newest wins. */
const VALIDATOR_DIR = '.cache/gitops-validate';

/**
 * Unpacks the backend bundle as the image does, under `<root>/node_modules/.cache/`: the bundle's
 * own workspace packages (built, with their published `main`) are linked into its
 * `node_modules`, third-party modules resolve from the repository's installation (the lockfile's
 * versions; the image installs the production subset of the same lockfile), and the files of
 * the image layout are copied beside it. Returns the directory the image's `WORKDIR` would be.
 */
export function unpackBundle(root: string, name: string): string {
  const { bundle } = bundlePaths(root);
  if (!fs.existsSync(bundle)) {
    throw new Error(
      `no backend bundle at ${path.relative(
        root,
        bundle,
      )}: run yarn tsc && yarn build:backend`,
    );
  }
  const dir = path.join(
    root,
    'node_modules',
    '.cache',
    'cloudlab-portal-bundle',
    name,
  );
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  execFileSync('tar', ['xzf', bundle, '-C', dir]);
  const modules = path.join(dir, 'node_modules');
  for (const group of ['packages', 'plugins']) {
    const groupDir = path.join(dir, group);
    if (!fs.existsSync(groupDir)) continue;
    for (const entry of fs.readdirSync(groupDir)) {
      const manifest = path.join(groupDir, entry, 'package.json');
      if (!fs.existsSync(manifest)) continue;
      const { name: pkg } = JSON.parse(fs.readFileSync(manifest, 'utf8'));
      const link = path.join(modules, pkg);
      fs.mkdirSync(path.dirname(link), { recursive: true });
      fs.symlinkSync(path.join(groupDir, entry), link, 'dir');
    }
  }
  // Copied, as the image holds them (some readers refuse a symlink where a directory belongs).
  for (const rel of IMAGE_LAYOUT) {
    fs.cpSync(fs.realpathSync(path.join(root, rel)), path.join(dir, rel), {
      recursive: true,
      dereference: true,
    });
  }
  const validators = fs
    .readdirSync(path.join(root, VALIDATOR_DIR))
    .filter(f => f.startsWith('gitops-validate-') && !f.endsWith('.tmp'))
    .map(f => path.join(root, VALIDATOR_DIR, f))
    .sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs);
  if (validators.length > 0) {
    const target = path.join(dir, VALIDATOR_DIR, path.basename(validators[0]));
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.copyFileSync(validators[0], target);
    fs.chmodSync(target, 0o755);
  }
  return dir;
}

/** One running bundle process. */
export interface BundleProcess {
  pid: number;
  baseUrl: string;
  logFile: string;
  /** Resolves with the exit code (or signal name) once the process ended. */
  exited: Promise<number | string>;
  log(): string;
  /** SIGTERM, then SIGKILL after 15 s. */
  stop(): Promise<void>;
  /** SIGKILL: the replica dies as in a node loss. */
  kill(): Promise<void>;
}

/**
 * The environment the portal's Deployment gives the container (gitops/platform/portal), pointed
 * at a test PostgreSQL database and the lab: what app-config.production.yaml requires.
 */
export function deploymentEnvironment(options: {
  postgres: string;
  database: string;
  cluster: LabCluster;
}): Record<string, string> {
  const pg = new URL(options.postgres);
  return {
    BACKEND_SECRET: crypto.randomBytes(24).toString('base64url'),
    POSTGRES_HOST: pg.hostname,
    POSTGRES_PORT: pg.port || '5432',
    POSTGRES_USER: decodeURIComponent(pg.username),
    POSTGRES_PASSWORD: decodeURIComponent(pg.password),
    POSTGRES_DATABASE: options.database,
    AUTH_GITHUB_CLIENT_ID: 'proof-client',
    AUTH_GITHUB_CLIENT_SECRET: 'proof-secret',
    CLOUDLAB_GITOPS_REPO_URL: 'github.com?owner=cloudlab-dev&repo=cloudlab',
    CLOUDLAB_GITOPS_SOURCE_URL:
      'https://github.com/cloudlab-dev/cloudlab/tree/main',
    CLOUDLAB_CLUSTER_URL: options.cluster.url,
    CLOUDLAB_CLUSTER_TOKEN_FILE: options.cluster.tokenFile,
    CLOUDLAB_CLUSTER_CA_FILE: options.cluster.caFile,
  };
}

/**
 * Starts `node packages/backend` in an unpacked bundle as the image's command does
 * (app-config.yaml, then app-config.production.yaml), plus `overlay` (this run's port and
 * whatever the caller needs) as a third layer, on a free loopback port.
 */
export async function startBundle(options: {
  dir: string;
  env: Record<string, string>;
  overlay?: object;
  name: string;
}): Promise<BundleProcess> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const overlayFile = path.join(options.dir, `${options.name}.overlay.yaml`);
  fs.writeFileSync(
    overlayFile,
    YAML.stringify({
      ...(options.overlay ?? {}),
      backend: {
        ...((options.overlay as any)?.backend ?? {}),
        // The production config's form (a string), so the layer replaces it.
        listen: `127.0.0.1:${port}`,
      },
    }),
  );
  const logFile = path.join(options.dir, `${options.name}.log`);
  const log = fs.openSync(logFile, 'w');
  const child: ChildProcess = spawn(
    process.execPath,
    [
      'packages/backend',
      '--config',
      'app-config.yaml',
      '--config',
      'app-config.production.yaml',
      '--config',
      overlayFile,
    ],
    {
      cwd: options.dir,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        NODE_ENV: 'production',
        CLOUDLAB_BASE_URL: baseUrl,
        ...options.env,
      },
      stdio: ['ignore', log, log],
    },
  );
  fs.closeSync(log);
  const exited = new Promise<number | string>(resolve =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)),
  );
  const end = async (signal: NodeJS.Signals) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    const killed = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(killed);
  };
  return {
    pid: child.pid!,
    baseUrl,
    logFile,
    exited,
    log: () => fs.readFileSync(logFile, 'utf8'),
    stop: () => end('SIGTERM'),
    kill: () => end('SIGKILL'),
  };
}

/** Polls the readiness endpoint the Deployment's probe uses until it answers 200. */
export async function waitReady(
  p: BundleProcess,
  timeoutMs = 240_000,
): Promise<number> {
  const start = Date.now();
  for (;;) {
    const code = await Promise.race([
      p.exited,
      new Promise(r => setTimeout(r, 250)).then(() => undefined),
    ]);
    if (code !== undefined) {
      throw new Error(
        `the bundle exited (${code}) before it was ready:\n${p
          .log()
          .slice(-3000)}`,
      );
    }
    try {
      const res = await fetch(`${p.baseUrl}/.backstage/health/v1/readiness`);
      if (res.ok) return Date.now() - start;
    } catch {
      // not listening yet
    }
    if (Date.now() - start > timeoutMs) {
      throw new Error(
        `the bundle was not ready within ${timeoutMs} ms:\n${p
          .log()
          .slice(-3000)}`,
      );
    }
  }
}

/** Resident set size of a process, in bytes (Linux). */
export function rssBytes(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /^VmRSS:\s+(\d+) kB/m.exec(status);
  if (!kb) throw new Error(`no VmRSS for process ${pid}`);
  return Number(kb[1]) * 1024;
}

/**
 * A database of its own on the test PostgreSQL server for one run (created empty, dropped at
 * the end), and a way to read the scheduler's task table in it.
 */
export function runDatabase(connection: string, name: string) {
  const adminUrl = new URL(connection);
  adminUrl.pathname = '/postgres';
  const admin = knexFactory({
    client: 'pg',
    connection: adminUrl.toString(),
    pool: { min: 0, max: 1 },
  });
  const dbUrl = new URL(connection);
  dbUrl.pathname = `/${name}`;
  const db = knexFactory({
    client: 'pg',
    connection: dbUrl.toString(),
    pool: { min: 0, max: 1 },
  });
  return {
    name,
    async create() {
      await admin.raw('DROP DATABASE IF EXISTS ?? WITH (FORCE)', [name]);
      await admin.raw('CREATE DATABASE ??', [name]);
    },
    /** When the scheduler will next start a task of a plugin (its schema), if it is known yet. */
    async nextRunStart(
      pluginId: string,
      taskId: string,
    ): Promise<Date | undefined> {
      const exists = await db.raw('SELECT to_regclass(?) AS t', [
        `${pluginId}.backstage_backend_tasks__tasks`,
      ]);
      if (!exists.rows[0]?.t) return undefined;
      const row = await db
        .withSchema(pluginId)
        .table('backstage_backend_tasks__tasks')
        .where('id', taskId)
        .first();
      return row?.next_run_start_at
        ? new Date(row.next_run_start_at)
        : undefined;
    },
    async drop() {
      await db.destroy();
      await admin.raw('DROP DATABASE IF EXISTS ?? WITH (FORCE)', [name]);
      await admin.destroy();
    },
  };
}
