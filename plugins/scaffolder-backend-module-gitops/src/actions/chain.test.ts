import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { parseAllDocuments } from 'yaml';
import { GitopsConfig } from '../config';
import {
  copyWorkspace,
  hashTree,
  mockContext,
  CRD_PATH,
  REPO_ROOT,
  VALIDATOR,
  requireValidator,
  validatorPathOrStandIn,
} from '../__testUtils__/workspace';
import { createActions } from '.';

// These tests copy the tree and run the Go validator; the machine is shared.
jest.setTimeout(60_000);

// The steps of the "stateful workload" template, in order, over a real copy of the tree.
const steps: [string, Record<string, unknown>][] = [
  [
    'cloudlab:workload:create',
    {
      name: 'notes',
      providers: ['hetzner', 'scaleway'],
      image: 'ghcr.io/cloudlab/notes:2.1.0',
      port: 3000,
      storage: { size: '10Gi' },
    },
  ],
  [
    'cloudlab:vault-secret:create',
    { workload: 'notes', secretName: 'notes-db' },
  ],
  ['cloudlab:tailscale:expose', { workload: 'notes' }],
  ['cloudlab:flux-kustomization:create', { workload: 'notes' }],
  [
    'cloudlab:catalog-entry:create',
    {
      workload: 'notes',
      owner: 'group:default/platform-team',
      description: 'a: b\n---\n${{ x }} &a *a !!str',
    },
  ],
];

function config(extra: Partial<GitopsConfig> = {}): GitopsConfig {
  return {
    publish: 'local',
    defaultBranch: 'main',
    sourceTree: REPO_ROOT,
    crdPath: CRD_PATH,
    validatorPath: VALIDATOR,
    validatorTimeoutSeconds: 120,
    ...extra,
  };
}

async function run(ws: string, cfg: GitopsConfig, dry = false) {
  const actions = createActions(cfg);
  const outputs: Record<string, Record<string, unknown>> = {};
  for (const [id, input] of steps) {
    const action = actions.find(a => a.id === id)!;
    const m = mockContext(ws, input, dry);
    await action.handler(m.ctx);
    outputs[id] = m.outputs;
  }
  return outputs;
}

describe('template chain over a copy of gitops/', () => {
  let ws: string;
  beforeEach(() => {
    ws = copyWorkspace();
  });
  afterEach(() => fs.rmSync(ws, { recursive: true, force: true }));

  it('writes a tree that validates; a second run and a dry run change nothing', async () => {
    const first = await run(ws, config());
    expect(first['cloudlab:vault-secret:create'].changed).toEqual(
      expect.arrayContaining([
        'gitops/platform/vault/configmap.yaml',
        'gitops/platform/vso/config/base/vaultauthglobal.yaml',
      ]),
    );
    const global = fs.readFileSync(
      path.join(ws, 'gitops/platform/vso/config/base/vaultauthglobal.yaml'),
      'utf8',
    );
    expect(global).toContain('# The ONE shared auth configuration'); // comments kept
    const allowed = parseAllDocuments(global)[0].toJS().spec.allowedNamespaces;
    expect(allowed).toEqual(
      expect.arrayContaining(['notes-hetzner', 'notes-scaleway']),
    );
    expect(allowed).not.toContain('*');
    // Security property 4 (docs/security.md): VSO scoping of what the actions generate.
    const vaultAuth = parseAllDocuments(
      fs.readFileSync(
        path.join(ws, 'gitops/apps/notes/base/vaultauth.yaml'),
        'utf8',
      ),
    )[0].toJS();
    expect(vaultAuth.spec.kubernetes).toEqual({
      role: 'notes',
      serviceAccount: 'notes-vault',
      audiences: ['vault'],
      tokenExpirationSeconds: 600,
    });
    const accounts = parseAllDocuments(
      fs.readFileSync(
        path.join(ws, 'gitops/apps/notes/base/serviceaccount.yaml'),
        'utf8',
      ),
    ).map(d => d.toJS().metadata);
    expect(accounts).toContainEqual({
      name: 'notes-vault',
      namespace: 'notes',
    });
    const roles = parseAllDocuments(
      parseAllDocuments(
        fs.readFileSync(
          path.join(ws, 'gitops/platform/vault/configmap.yaml'),
          'utf8',
        ),
      )[0].toJS().data['roles.yaml'],
    )[0].toJS();
    expect(roles.find((r: { name: string }) => r.name === 'notes')).toEqual({
      name: 'notes',
      boundServiceAccountNames: ['notes-vault'],
      boundServiceAccountNamespaces: ['notes-hetzner', 'notes-scaleway'],
      audience: 'vault',
      policies: ['notes-read'],
      tokenTTL: '10m',
    });
    const entity = parseAllDocuments(
      fs.readFileSync(path.join(ws, 'catalog/components/notes.yaml'), 'utf8'),
    );
    expect(entity).toHaveLength(1);
    expect(entity[0].toJS().metadata.description).toBe(
      'a: b\n---\n${{ x }} &a *a !!str',
    );

    const before = hashTree(ws);
    const second = await run(ws, config());
    for (const o of Object.values(second))
      expect(o).toMatchObject({ created: [], changed: [] });
    expect(hashTree(ws)).toBe(before);

    const fresh = copyWorkspace();
    try {
      const h = hashTree(fresh);
      // The whole chain dry-runs (later steps see earlier steps' files in memory), reports
      // the same files as the real run, validates the would-be tree, and writes nothing.
      const dry = await run(fresh, config(), true);
      expect(dry['cloudlab:workload:create'].created).toEqual(
        first['cloudlab:workload:create'].created,
      );
      expect(dry['cloudlab:vault-secret:create'].changed).toEqual(
        first['cloudlab:vault-secret:create'].changed,
      );
      const dryValidate = createActions(
        config({ validatorPath: validatorPathOrStandIn() }),
      ).find(a => a.id === 'cloudlab:gitops:validate')!;
      const m = mockContext(fresh, {}, true);
      await dryValidate.handler(m.ctx);
      expect(m.outputs.findings).toEqual([]);
      expect(hashTree(fresh)).toBe(h);
    } finally {
      fs.rmSync(fresh, { recursive: true, force: true });
    }

    if (!requireValidator()) return;
    const validate = createActions(config()).find(
      a => a.id === 'cloudlab:gitops:validate',
    )!;
    const m = mockContext(ws, {});
    await validate.handler(m.ctx);
    expect(m.outputs.findings).toEqual([]);
  });

  it('refuses a catalog entry whose Component is declared elsewhere', async () => {
    await createActions(config())
      .find(a => a.id === 'cloudlab:workload:create')!
      .handler(mockContext(ws, steps[0][1]).ctx);
    fs.mkdirSync(path.join(ws, 'catalog/components'), { recursive: true });
    fs.writeFileSync(
      path.join(ws, 'catalog/components/hand-written.yaml'),
      '---\napiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: notes\nspec:\n  type: service\n  lifecycle: production\n  owner: group:default/platform-team\n',
    );
    const before = hashTree(ws);
    const catalog = createActions(config()).find(
      a => a.id === 'cloudlab:catalog-entry:create',
    )!;
    await expect(
      catalog.handler(
        mockContext(ws, {
          workload: 'notes',
          owner: 'group:default/platform-team',
        }).ctx,
      ),
    ).rejects.toThrow(
      "workload: a Component 'notes' is already declared in catalog/components/hand-written.yaml",
    );
    expect(hashTree(ws)).toBe(before);
  });

  it('validate fails with the findings when the tree is broken', async () => {
    if (!requireValidator()) return;
    fs.writeFileSync(
      path.join(ws, 'gitops/apps/pihole/base/persistentvolumeclaim.yaml'),
      fs
        .readFileSync(
          path.join(ws, 'gitops/apps/pihole/base/persistentvolumeclaim.yaml'),
          'utf8',
        )
        .replace('accessModes', 'accessModez'),
    );
    const validate = createActions(config()).find(
      a => a.id === 'cloudlab:gitops:validate',
    )!;
    await expect(validate.handler(mockContext(ws, {}).ctx)).rejects.toThrow(
      /does not validate \(\d+ findings\)/,
    );
  });

  it('validate names the missing binary', async () => {
    const validate = createActions(config({ validatorPath: undefined })).find(
      a => a.id === 'cloudlab:gitops:validate',
    )!;
    await expect(validate.handler(mockContext(ws, {}).ctx)).rejects.toThrow(
      /^cloudlab\.gitops\.validatorPath is required by cloudlab:gitops:validate/,
    );
    const inEmptyFolder = createActions(
      config({ validatorPath: os.tmpdir() }),
    ).find(a => a.id === 'cloudlab:gitops:validate')!;
    await expect(
      inEmptyFolder.handler(mockContext(ws, {}).ctx),
    ).rejects.toThrow(
      `cloudlab.gitops.validatorPath: folder ${os.tmpdir()} holds no gitops-validate-<hash>-go<version> binary`,
    );
  });

  it('commits to the local repository once, then is a no-op', async () => {
    const repo = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudlab-repo-'));
    try {
      const g = (...args: string[]) =>
        execFileSync('git', args, { cwd: repo, encoding: 'utf8' });
      g('init', '-q', '-b', 'main');
      fs.cpSync(path.join(ws, 'gitops'), path.join(repo, 'gitops'), {
        recursive: true,
      });
      fs.cpSync(path.join(ws, 'providers'), path.join(repo, 'providers'), {
        recursive: true,
      });
      fs.cpSync(path.join(ws, 'catalog'), path.join(repo, 'catalog'), {
        recursive: true,
      });
      g('add', '-A');
      g(
        '-c',
        'user.name=t',
        '-c',
        'user.email=t@t',
        'commit',
        '-q',
        '-m',
        'init',
      );
      const cfg = config({ localRepository: repo });
      const checkout = createActions(cfg).find(
        a => a.id === 'cloudlab:gitops:checkout',
      )!;
      const target = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudlab-ws-'));
      const co = mockContext(target, {});
      await checkout.handler(co.ctx);
      expect(co.outputs.publish).toBe('local');
      expect(
        fs.existsSync(
          path.join(target, 'gitops/apps/pihole/base/deployment.yaml'),
        ),
      ).toBe(true);
      await run(target, cfg);
      const commit = createActions(cfg).find(
        a => a.id === 'cloudlab:git:commit',
      )!;
      const c1 = mockContext(target, { message: 'Add notes' });
      await commit.handler(c1.ctx);
      expect(c1.outputs.created).toBe(true);
      expect(g('show', '--stat', '--format=%s', 'main')).toContain(
        'gitops/apps/notes/base/deployment.yaml',
      );
      const c2 = mockContext(target, { message: 'Add notes' });
      await commit.handler(c2.ctx);
      expect(c2.outputs).toMatchObject({
        created: false,
        commit: c1.outputs.commit,
      });
      fs.rmSync(target, { recursive: true, force: true });
    } finally {
      fs.rmSync(repo, { recursive: true, force: true });
    }
  });
});
