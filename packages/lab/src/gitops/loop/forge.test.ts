import fs from 'node:fs';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { labPaths } from '../../paths';
import { loopComponents, labPortsConfigMap } from './components';
import {
  FORGE,
  FORGE_ADMIN,
  FORGE_PORTAL,
  ForgeApi,
  forgeConfig,
  forgeKeys,
  forgePaths,
  gitAuthEnv,
  mainProtection,
} from './forge';

const keys = { secretKey: 'sk', internalToken: 'it', jwtSecret: 'jwt' };

describe('forgeConfig', () => {
  it('serves on loopback only, with SQLite under its folder and assets from the module source', () => {
    const ini = forgeConfig({
      port: 18481,
      dir: '/state/forge',
      staticRoot: '/mod/code.gitea.io/gitea@v1.27.3',
      keys,
      asRoot: false,
    });
    expect(ini).toMatch(/^HTTP_ADDR = 127\.0\.0\.1$/m);
    expect(ini).toMatch(/^HTTP_PORT = 18481$/m);
    expect(ini).toMatch(/^ROOT_URL = http:\/\/127\.0\.0\.1:18481\/$/m);
    expect(ini).toMatch(/^STATIC_ROOT_PATH = \/mod\/code\.gitea\.io\/gitea@v1\.27\.3$/m);
    expect(ini).toMatch(/^DB_TYPE = sqlite3$/m);
    expect(ini).toMatch(/^PATH = \/state\/forge\/data\/gitea\.db$/m);
    expect(ini).toMatch(/^DISABLE_REGISTRATION = true$/m);
    expect(ini).toMatch(/^DISABLE_SSH = true$/m);
    expect(ini).not.toMatch(/I_AM_BEING_UNSAFE_RUNNING_AS_ROOT/);
  });

  it('sets the run-as-root flag only when it runs as root', () => {
    const ini = forgeConfig({ port: 1, dir: '/d', staticRoot: '/s', keys, asRoot: true });
    // In the root section, before the first [section].
    const root = ini.slice(0, ini.indexOf('['));
    expect(root).toMatch(/^I_AM_BEING_UNSAFE_RUNNING_AS_ROOT = true$/m);
  });
});

describe('forgeKeys', () => {
  it('makes random keys once, in a file only the owner reads, and keeps them', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'forge-keys-'));
    try {
      const file = path.join(dir, 'keys.json');
      const a = forgeKeys(file);
      expect(fs.statSync(file).mode & 0o777).toBe(0o600);
      expect(a.secretKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(new Set([a.secretKey, a.internalToken, a.jwtSecret]).size).toBe(3);
      expect(forgeKeys(file)).toEqual(a);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the forge as a loop component', () => {
  it('starts before source-controller, from the built binary, with its health URL and its port in the ConfigMap', () => {
    const p = labPaths();
    const comps = loopComponents(p, 'cli');
    const i = comps.findIndex(c => c.name === FORGE);
    expect(i).toBeGreaterThanOrEqual(0);
    expect(i).toBeLessThan(comps.findIndex(c => c.name === 'source-controller'));
    const forge = comps[i];
    expect(forge.bin).toBe(path.join(p.bin, 'gitea'));
    expect(forge.built).toBe('gitea');
    expect(forge.args).toEqual([
      '--config',
      forgePaths(p).config,
      '--work-path',
      forgePaths(p).dir,
      'web',
    ]);
    const port = labPortsConfigMap().data.cloudlab_lab_forge_port;
    expect(forge.health).toBe(`http://127.0.0.1:${port}/api/healthz`);
  });
});

describe('main’s protection', () => {
  it('lets only the lab’s admin push, force-push and merge: the portal goes through pull requests', () => {
    const rule = mainProtection();
    expect(rule.rule_name).toBe('main');
    for (const list of [
      rule.push_whitelist_usernames,
      rule.force_push_allowlist_usernames,
      rule.merge_whitelist_usernames,
    ]) {
      expect(list).toEqual([FORGE_ADMIN]);
      expect(list).not.toContain(FORGE_PORTAL);
    }
    expect(rule.enable_push_whitelist).toBe(true);
    expect(rule.enable_force_push_allowlist).toBe(true);
    expect(rule.enable_merge_whitelist).toBe(true);
  });
});

describe('gitAuthEnv', () => {
  it('gives Git the token as a header for the forge only, not in a URL or an argument', () => {
    const env = gitAuthEnv('lab-portal', 'tok123');
    expect(env.GIT_CONFIG_COUNT).toBe('1');
    expect(env.GIT_CONFIG_KEY_0).toMatch(/^http\.http:\/\/127\.0\.0\.1:\d+\/\.extraHeader$/);
    expect(env.GIT_CONFIG_VALUE_0).toBe(
      `Authorization: Basic ${Buffer.from('lab-portal:tok123').toString('base64')}`,
    );
    expect(env.GIT_TERMINAL_PROMPT).toBe('0');
  });
});

describe('ForgeApi', () => {
  let server: http.Server;
  let base: string;
  const seen: Array<{ method?: string; url?: string; auth?: string; body: string }> = [];
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', c => (body += c));
      req.on('end', () => {
        seen.push({ method: req.method, url: req.url, auth: req.headers.authorization, body });
        if (req.url === '/api/v1/repos/platform/cloudlab')
          res.writeHead(200, { 'content-type': 'application/json' }).end('{"name":"cloudlab"}');
        else if (req.url === '/api/v1/repos/platform/missing')
          res.writeHead(404).end('{"message":"repository does not exist"}');
        else res.writeHead(422).end('{"message":"branch already exists"}');
      });
    });
    await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => server.close());

  it('sends the token and JSON, and returns the answer', async () => {
    const api = new ForgeApi(base, 'tok');
    expect(await api.call('GET', '/repos/platform/cloudlab')).toEqual({ name: 'cloudlab' });
    await expect(api.call('POST', '/repos/platform/cloudlab/branches', { new_branch_name: 'x' })).rejects.toThrow();
    const post = seen.find(s => s.method === 'POST')!;
    expect(post.auth).toBe('token tok');
    expect(JSON.parse(post.body)).toEqual({ new_branch_name: 'x' });
  });

  it('answers undefined for 404 when asked to, else fails naming the call, the status and the forge’s message', async () => {
    const api = new ForgeApi(base, 'tok');
    expect(await api.call('GET', '/repos/platform/missing', undefined, { allow404: true })).toBeUndefined();
    await expect(api.call('GET', '/repos/platform/missing')).rejects.toThrow(
      'forge: GET /repos/platform/missing: 404 repository does not exist',
    );
    await expect(api.call('POST', '/repos/platform/cloudlab/branches', {})).rejects.toThrow(
      'forge: POST /repos/platform/cloudlab/branches: 422 branch already exists',
    );
  });
});
