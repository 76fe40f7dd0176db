import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { LabPaths } from '../../paths';
import { requestText } from './tlsRequest';

/**
 * The lab's Git forge: Gitea built from source (scripts/lab-gitops-build.sh), SQLite, loopback
 * only (docs/adr/0703-lab-forge-gitea.md). It hosts the GitOps repository Flux reads
 * ({@link FORGE_REPO}); `main` is protected: changes reach it through pull requests, which only
 * the lab's admin (standing in for the person who reviews) merges. The portal's user may push
 * branches and open pull requests, not push to `main`.
 */
export const FORGE = 'forge';
/** What the CLI and the docs call it. */
export const FORGE_TITLE = 'Gitea forge (SQLite, loopback)';
/** The lab's administrator (pushes the checkout's `main`, merges pull requests). */
export const FORGE_ADMIN = 'lab-admin';
/** The portal's user: write access to the repository, `main` protected against it. */
export const FORGE_PORTAL = 'lab-portal';
/** Owner (an organisation) and name of the GitOps repository on the forge. */
export const FORGE_REPO = { owner: 'platform', name: 'cloudlab' } as const;
/** Scopes of the portal's token: what a deployment gives it to open pull requests. */
export const FORGE_PORTAL_SCOPES = ['write:repository', 'read:user'];

/** The forge's loopback port (`CLOUDLAB_LAB_FORGE_PORT`, default 8481). */
export function forgePort(): number {
  return Number(process.env.CLOUDLAB_LAB_FORGE_PORT ?? 8481);
}

export function forgeUrl(): string {
  return `http://127.0.0.1:${forgePort()}`;
}

/** Files of the forge under .cache/lab/gitops/forge (git-ignored state; tokens 0600). */
export function forgePaths(p: LabPaths) {
  const dir = path.join(p.state, 'gitops', 'forge');
  return {
    dir,
    config: path.join(dir, 'app.ini'),
    /** The random keys app.ini is rendered with (kept, so sessions and tokens survive a restart). */
    keys: path.join(dir, 'keys.json'),
    data: path.join(dir, 'data'),
    repos: path.join(dir, 'repositories'),
    adminToken: path.join(dir, 'admin-token'),
    /** The portal's token; lab-app-config.sh hands it to Backstage as CLOUDLAB_LAB_FORGE_TOKEN. */
    portalToken: path.join(dir, 'portal-token'),
    /** When the forge last started and its seconds to healthy (shown by `lab status`). */
    lastStart: path.join(dir, 'last-start.json'),
  };
}

export interface ForgeKeys {
  secretKey: string;
  internalToken: string;
  jwtSecret: string;
}

/**
 * Gitea's configuration. `staticRoot` is the module's source folder: the binary is built without
 * embedded assets, so its `options/`, `templates/` and `public/` are read from there. `asRoot`
 * sets the flag Gitea demands before it runs as root (CI runs as root; the lab does not create a
 * system user: ADR 0703).
 */
export function forgeConfig(opts: {
  port: number;
  dir: string;
  staticRoot: string;
  keys: ForgeKeys;
  asRoot: boolean;
}): string {
  const { port, dir, keys } = opts;
  const j = (...s: string[]) => path.join(dir, ...s);
  return [
    'APP_NAME = Cloudlab lab forge',
    'RUN_MODE = prod',
    `WORK_PATH = ${dir}`,
    ...(opts.asRoot ? ['I_AM_BEING_UNSAFE_RUNNING_AS_ROOT = true'] : []),
    '',
    '[server]',
    'PROTOCOL = http',
    'HTTP_ADDR = 127.0.0.1',
    `HTTP_PORT = ${port}`,
    `ROOT_URL = http://127.0.0.1:${port}/`,
    `STATIC_ROOT_PATH = ${opts.staticRoot}`,
    `APP_DATA_PATH = ${j('data')}`,
    'DISABLE_SSH = true',
    'START_SSH_SERVER = false',
    'OFFLINE_MODE = true',
    'LFS_START_SERVER = false',
    '',
    '[database]',
    'DB_TYPE = sqlite3',
    `PATH = ${j('data', 'gitea.db')}`,
    'SQLITE_JOURNAL_MODE = WAL',
    '',
    '[repository]',
    `ROOT = ${j('repositories')}`,
    'DEFAULT_BRANCH = main',
    '',
    '[security]',
    'INSTALL_LOCK = true',
    `SECRET_KEY = ${keys.secretKey}`,
    `INTERNAL_TOKEN = ${keys.internalToken}`,
    '',
    '[oauth2]',
    'ENABLED = false',
    `JWT_SECRET = ${keys.jwtSecret}`,
    '',
    '[service]',
    'DISABLE_REGISTRATION = true',
    'REQUIRE_SIGNIN_VIEW = false',
    'ENABLE_NOTIFY_MAIL = false',
    '',
    '[mailer]',
    'ENABLED = false',
    '',
    '[picture]',
    'DISABLE_GRAVATAR = true',
    'ENABLE_FEDERATED_AVATAR = false',
    '',
    '[session]',
    'PROVIDER = memory',
    '',
    '[cache]',
    'ADAPTER = memory',
    '',
    '[actions]',
    'ENABLED = false',
    '',
    '[packages]',
    'ENABLED = false',
    '',
    '[cron.update_checker]',
    'ENABLED = false',
    '',
    '[log]',
    'MODE = console',
    'LEVEL = Info',
    '',
  ].join('\n');
}

/** The forge's keys: random, made once, kept in a 0600 file. */
export function forgeKeys(file: string): ForgeKeys {
  if (!fs.existsSync(file)) {
    const r = () => crypto.randomBytes(32).toString('base64url');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(
      file,
      JSON.stringify({ secretKey: r(), internalToken: r(), jwtSecret: r() }),
      { mode: 0o600 },
    );
  }
  return JSON.parse(fs.readFileSync(file, 'utf8')) as ForgeKeys;
}

/** `GITEA_VERSION` of lab/versions.env. */
export function giteaVersion(root: string): string {
  const env = fs.readFileSync(path.join(root, 'lab', 'versions.env'), 'utf8');
  const m = /^GITEA_VERSION=(\S+)$/m.exec(env);
  if (!m) throw new Error('lab/versions.env: GITEA_VERSION is not set');
  return m[1];
}

/** The Gitea module's source folder in the Go module cache (the build extracted it). */
export function giteaSourceDir(root: string): string {
  const modCache = execFileSync('go', ['env', 'GOMODCACHE'], {
    encoding: 'utf8',
  }).trim();
  const dir = path.join(modCache, `code.gitea.io/gitea@${giteaVersion(root)}`);
  if (!fs.existsSync(path.join(dir, 'templates')))
    throw new Error(
      `${dir}: Gitea's source folder (STATIC_ROOT_PATH) is missing; run scripts/lab-gitops-build.sh --force gitea`,
    );
  return dir;
}

/** Writes app.ini (0600: it holds the keys). */
export function prepareForge(p: LabPaths): void {
  const f = forgePaths(p);
  fs.mkdirSync(f.data, { recursive: true });
  fs.writeFileSync(
    f.config,
    forgeConfig({
      port: forgePort(),
      dir: f.dir,
      staticRoot: giteaSourceDir(p.root),
      keys: forgeKeys(f.keys),
      asRoot: process.getuid?.() === 0,
    }),
    { mode: 0o600 },
  );
}

/** An error answer of the forge's API, naming the call. */
export class ForgeError extends Error {
  constructor(
    readonly method: string,
    readonly apiPath: string,
    readonly status: number,
    body: string,
  ) {
    let message = body.trim();
    try {
      message = (JSON.parse(body) as { message?: string }).message ?? message;
    } catch {
      /* not JSON */
    }
    super(`forge: ${method} ${apiPath}: ${status} ${message}`.slice(0, 500));
  }
}

/** A small client of Gitea's REST API (`/api/v1`), authenticated by a token. */
export class ForgeApi {
  constructor(
    readonly baseUrl: string,
    private readonly token: string,
  ) {}

  /** JSON answer of a call; undefined for 404 when `allow404`; else throws {@link ForgeError}. */
  async call<T = any>(
    method: string,
    apiPath: string,
    body?: unknown,
    opts: { allow404?: boolean } = {},
  ): Promise<T> {
    const res = await requestText(`${this.baseUrl}/api/v1${apiPath}`, {
      method,
      headers: {
        authorization: `token ${this.token}`,
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      timeoutMs: 30_000,
    });
    if (res.status === 404 && opts.allow404) return undefined as T;
    if (res.status >= 300)
      throw new ForgeError(method, apiPath, res.status, res.body);
    return (res.body ? JSON.parse(res.body) : undefined) as T;
  }

  repoPath(repo = FORGE_REPO) {
    return `/repos/${repo.owner}/${repo.name}`;
  }
}

/** The forge's API as the lab's admin, or as the portal's user. */
export function forgeApi(p: LabPaths, who: 'admin' | 'portal'): ForgeApi {
  const f = forgePaths(p);
  const file = who === 'admin' ? f.adminToken : f.portalToken;
  if (!fs.existsSync(file))
    throw new Error(`${file} is missing: run yarn lab gitops up`);
  return new ForgeApi(forgeUrl(), fs.readFileSync(file, 'utf8').trim());
}

/** The URL Git clones and pushes the GitOps repository from (Flux's GitRepository URL). */
export function forgeRepoUrl(): string {
  return `${forgeUrl()}/${FORGE_REPO.owner}/${FORGE_REPO.name}.git`;
}

/**
 * Environment for a `git` command that authenticates to the forge with a token: an extra header
 * given through Git's environment configuration, so the token appears neither in a URL, nor in
 * the process's arguments, nor in any file.
 */
export function gitAuthEnv(user: string, token: string): NodeJS.ProcessEnv {
  const basic = Buffer.from(`${user}:${token}`).toString('base64');
  return {
    ...process.env,
    GIT_TERMINAL_PROMPT: '0',
    GIT_CONFIG_COUNT: '1',
    GIT_CONFIG_KEY_0: `http.${forgeUrl()}/.extraHeader`,
    GIT_CONFIG_VALUE_0: `Authorization: Basic ${basic}`,
  };
}

/** The branch protection of `main`: pushes, force pushes and merges by the lab's admin only. */
export function mainProtection() {
  return {
    rule_name: 'main',
    enable_push: true,
    enable_push_whitelist: true,
    push_whitelist_usernames: [FORGE_ADMIN],
    enable_force_push: true,
    enable_force_push_allowlist: true,
    force_push_allowlist_usernames: [FORGE_ADMIN],
    enable_merge_whitelist: true,
    merge_whitelist_usernames: [FORGE_ADMIN],
    required_approvals: 0,
  };
}

/** Runs Gitea's CLI against the lab's forge (its stdout; a password it prints is never shown). */
function giteaCli(bin: string, p: LabPaths, args: string[]): string {
  const f = forgePaths(p);
  try {
    return execFileSync(
      bin,
      ['--config', f.config, '--work-path', f.dir, ...args],
      {
        encoding: 'utf8',
        env: { ...process.env, HOME: f.dir, GITEA_WORK_DIR: f.dir },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    // The first line names the failure; Gitea's log lines follow it.
    throw new Error(
      `gitea ${args.slice(0, 3).join(' ')}: ${(err.stderr || err.message).trim().split('\n').slice(-3).join(' | ')}`,
    );
  }
}

/** Whether a token file holds a token the forge accepts for `user`. */
async function tokenWorks(file: string, user: string): Promise<boolean> {
  if (!fs.existsSync(file)) return false;
  const api = new ForgeApi(forgeUrl(), fs.readFileSync(file, 'utf8').trim());
  try {
    const me = await api.call<{ login: string }>('GET', '/user');
    return me.login === user;
  } catch {
    return false;
  }
}

/** A new token for `user` from Gitea's CLI, written to a 0600 file (never printed). */
function newToken(
  bin: string,
  p: LabPaths,
  user: string,
  scopes: string[],
  file: string,
) {
  const token = giteaCli(bin, p, [
    'admin',
    'user',
    'generate-access-token',
    '--username',
    user,
    '--token-name',
    `lab-${Date.now()}`,
    '--scopes',
    scopes.join(','),
    '--raw',
  ]).trim();
  if (!/^[0-9a-f]{40}$/.test(token))
    throw new Error(`gitea generate-access-token for ${user}: no token in its answer`);
  fs.writeFileSync(file, `${token}\n`, { mode: 0o600 });
}

/**
 * Makes the forge what the lab expects (idempotent, after every start): the admin (Gitea's CLI)
 * and the portal's user (the admin API) with tokens in 0600 files, the organisation and the
 * repository with the portal as a writer, the checkout's `main` pushed as the repository's `main`
 * ({@link pushMainToForge}), and `main` protected ({@link mainProtection}).
 */
export async function setupForge(p: LabPaths, bin: string): Promise<string> {
  const f = forgePaths(p);
  if (!(await tokenWorks(f.adminToken, FORGE_ADMIN))) {
    const admins = giteaCli(bin, p, ['admin', 'user', 'list', '--admin']);
    if (!admins.split('\n').some(l => l.split(/\s+/)[1] === FORGE_ADMIN))
      giteaCli(bin, p, [
        'admin',
        'user',
        'create',
        '--username',
        FORGE_ADMIN,
        '--email',
        `${FORGE_ADMIN}@forge.lab.invalid`,
        '--admin',
        '--random-password',
        '--must-change-password=false',
      ]);
    newToken(bin, p, FORGE_ADMIN, ['all'], f.adminToken);
  }
  const admin = forgeApi(p, 'admin');
  if (!(await admin.call('GET', `/users/${FORGE_PORTAL}`, undefined, { allow404: true })))
    await admin.call('POST', '/admin/users', {
      username: FORGE_PORTAL,
      email: `${FORGE_PORTAL}@forge.lab.invalid`,
      // Nobody signs in with it: the portal uses its token.
      password: crypto.randomBytes(24).toString('base64url'),
      must_change_password: false,
    });
  if (!(await tokenWorks(f.portalToken, FORGE_PORTAL)))
    newToken(bin, p, FORGE_PORTAL, FORGE_PORTAL_SCOPES, f.portalToken);
  const { owner, name } = FORGE_REPO;
  if (!(await admin.call('GET', `/orgs/${owner}`, undefined, { allow404: true })))
    await admin.call('POST', '/orgs', { username: owner, visibility: 'public' });
  if (!(await admin.call('GET', admin.repoPath(), undefined, { allow404: true })))
    await admin.call('POST', `/orgs/${owner}/repos`, {
      name,
      default_branch: 'main',
      private: false,
      description: 'The GitOps repository the lab’s Flux reads (pushed from the checkout’s main)',
    });
  await admin.call('PUT', `${admin.repoPath()}/collaborators/${FORGE_PORTAL}`, {
    permission: 'write',
  });
  const head = pushMainToForge(p);
  const rule = mainProtection();
  const existing = await admin.call(
    'GET',
    `${admin.repoPath()}/branch_protections/${rule.rule_name}`,
    undefined,
    { allow404: true },
  );
  if (existing)
    await admin.call('PATCH', `${admin.repoPath()}/branch_protections/${rule.rule_name}`, rule);
  else await admin.call('POST', `${admin.repoPath()}/branch_protections`, rule);
  return head;
}

/**
 * The commit of this checkout `gitops up` makes the forge's `main`: its branch `main`, or
 * `CLOUDLAB_LAB_FORGE_PUSH_REF` (e.g. `HEAD`, to try a branch's tree in the lab before it is merged).
 */
export function forgePushRef(): string {
  return process.env.CLOUDLAB_LAB_FORGE_PUSH_REF || 'refs/heads/main';
}

/**
 * Sets the forge's `main` to the checkout's `main` ({@link forgePushRef}) as the lab's admin, the
 * one user allowed to force-push it: Flux reads the committed state, as before the forge. Pull
 * requests merged on the forge since are dropped unless the pushed commit contains them. Returns
 * the commit.
 */
export function pushMainToForge(p: LabPaths): string {
  const f = forgePaths(p);
  const head = execFileSync('git', ['rev-parse', '--verify', `${forgePushRef()}^{commit}`], {
    cwd: p.root,
    encoding: 'utf8',
  }).trim();
  const token = fs.readFileSync(f.adminToken, 'utf8').trim();
  try {
    execFileSync(
      'git',
      ['push', '--quiet', '--force', forgeRepoUrl(), `${head}:refs/heads/main`],
      {
        cwd: p.root,
        env: gitAuthEnv(FORGE_ADMIN, token),
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
  } catch (e) {
    throw new Error(
      `git push of main to ${forgeRepoUrl()}: ${String((e as { stderr?: string }).stderr ?? e).trim()}`,
    );
  }
  return head;
}
