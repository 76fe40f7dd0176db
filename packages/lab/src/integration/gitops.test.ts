import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KubeRest } from '../kube/rest';
import { fluxState } from '../gitops/loop/flux';
import { gitopsPaths } from '../gitops/loop/components';
import { gitopsStatus, labVault } from '../gitops/loop/loop';
import {
  labSecretContracts,
  secretsToSeed,
} from '../gitops/loop/secretContracts';
import { declaredRoles, seedSecrets } from '../gitops/loop/vault';
import {
  applyObj as applyAs,
  describeGitops,
  eventually,
  getJson,
  git,
  labFixture,
  scratchGitRepository,
  seedScratchRepository,
  LabFixture,
  piholeInstances,
} from './labFixture';

/**
 * Proofs of the GitOps loop (docs/lab/gitops-loop.md) against the running lab with `lab gitops up`:
 * scripts/lab-test.sh --gitops sets CLOUDLAB_LAB_GITOPS. Secret values are never read into logs:
 * only keys, metadata and in-process hashes are compared.
 */

jest.setTimeout(600_000);

const KUST =
  '/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/flux-system/kustomizations';
const GITREPO =
  '/apis/source.toolkit.fluxcd.io/v1/namespaces/flux-system/gitrepositories';
const VSO = '/apis/secrets.hashicorp.com/v1beta1';

const applyObj = (rest: KubeRest, p: string, obj: object) =>
  applyAs(rest, p, obj, 'cloudlab-lab-gitops-test');

const del = (rest: KubeRest, p: string) => rest.request('DELETE', p);

const hashData = (data: Record<string, string> | undefined) =>
  crypto
    .createHash('sha256')
    .update(JSON.stringify(data ?? {}))
    .digest('hex');

const proofDeployment = (name: string) => `---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: gitops-proof
spec:
  replicas: 1
  selector:
    matchLabels: { app: ${name} }
  template:
    metadata:
      labels: { app: ${name} }
    spec:
      nodeSelector: { cfke.io/provider: scaleway }
      securityContext: { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: RuntimeDefault } }
      containers:
        - name: web
          image: proof:1
          securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: [ALL] } }
`;

describeGitops('the GitOps loop in the lab', () => {
  let fx: LabFixture;
  let rest: KubeRest;
  let g: ReturnType<typeof gitopsPaths>;

  beforeAll(async () => {
    fx = await labFixture();
    rest = fx.clients.rest;
    g = gitopsPaths(fx.paths);
    // Health checks answer within 2 s each; on a loaded machine retry for a minute.
    await eventually(
      'every process of the GitOps loop healthy (else: yarn lab gitops up)',
      async () =>
        (await gitopsStatus()).filter(s => !s.healthy).map(s => s.name),
      (down: string[]) => down.length === 0,
      (down: string[]) => `not healthy: ${down.join(', ')}`,
      60_000,
    );
  });

  it('reconciles gitops/clusters/lab from the lab Git server: Kustomizations Ready with revision and inventory', async () => {
    const head = execFileSync('git', ['rev-parse', 'main'], {
      cwd: fx.paths.root,
      encoding: 'utf8',
    }).trim();
    const root = await eventually(
      'the root Kustomization at a main revision',
      () => getJson(rest, `${KUST}/flux-system`),
      o => fluxState('Kustomization', o).ready === 'True',
      o => JSON.stringify(fluxState('Kustomization', o)),
      180_000,
    );
    expect(fluxState('Kustomization', root).revision).toMatch(
      /^main@sha1:[0-9a-f]{40}$/,
    );
    // The revision is a commit of this repository (HEAD or an ancestor when main moved meanwhile).
    const rev = fluxState('Kustomization', root).revision.split(':')[1];
    execFileSync('git', ['merge-base', '--is-ancestor', rev, head], {
      cwd: fx.paths.root,
    });
    // Ready again after any reconcile in flight (main may move while the tests run).
    const apps = await eventually(
      'apps-pihole-hetzner Ready',
      () => getJson(rest, `${KUST}/apps-pihole-hetzner`),
      o => fluxState('Kustomization', o).ready === 'True',
      o => JSON.stringify(fluxState('Kustomization', o)),
      180_000,
    );
    const s = fluxState('Kustomization', apps);
    expect(s.inventory).toBeGreaterThan(3);
  });

  it('shows HelmReleases whose charts are unreachable offline as failing with Flux reasons', async () => {
    const hrs = await eventually(
      'every HelmRelease evaluated by helm-controller',
      async () =>
        (
          (
            await getJson(rest, '/apis/helm.toolkit.fluxcd.io/v2/helmreleases')
          )?.items ?? []
        ).map((o: any) => fluxState('HelmRelease', o)),
      (l: ReturnType<typeof fluxState>[]) =>
        l.length > 0 && l.every(h => h.ready === 'False'),
      l => JSON.stringify(l.map(h => [h.name, h.ready, h.reason])),
      180_000,
    );
    for (const h of hrs) {
      expect(h.reason).toBe('SourceNotReady');
      expect(h.message).toMatch(/HelmChart '.*' is not ready/);
    }
  });

  it('adds a workload from a commit within 2 minutes, keeps it through a broken commit, prunes it on removal', async () => {
    const name = `scratch-${Date.now()}`;
    const bare = path.join(g.gitRoot, `${name}.git`);
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'gitops-proof-'));
    const kPath = `${KUST}/${name}`;
    try {
      seedScratchRepository(bare, work, 'base', () => {
        fs.mkdirSync(path.join(work, 'deploy'));
        fs.writeFileSync(
          path.join(work, 'deploy', 'namespace.yaml'),
          '---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: gitops-proof\n',
        );
        fs.writeFileSync(
          path.join(work, 'deploy', 'keep.yaml'),
          proofDeployment('proof-keep'),
        );
      });
      await applyObj(rest, `${GITREPO}/${name}`, scratchGitRepository(name));
      await applyObj(rest, kPath, {
        apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
        kind: 'Kustomization',
        metadata: { name, namespace: 'flux-system' },
        spec: {
          interval: '1m',
          retryInterval: '5s',
          path: './deploy',
          prune: true,
          sourceRef: { kind: 'GitRepository', name },
        },
      });
      const readyAt = async (sha: string) =>
        eventually(
          `Kustomization ${name} Ready at ${sha.slice(0, 8)}`,
          () => getJson(rest, kPath),
          o => {
            const s = o && fluxState('Kustomization', o);
            return Boolean(s && s.ready === 'True' && s.revision.endsWith(sha));
          },
          o => JSON.stringify(o && fluxState('Kustomization', o)),
          120_000,
        );
      await readyAt(git(work, 'rev-parse', 'HEAD'));
      const deploy = (n: string) =>
        `/apis/apps/v1/namespaces/gitops-proof/deployments/${n}`;

      // 1. a commit adds a workload: it appears within 2 minutes
      fs.writeFileSync(
        path.join(work, 'deploy', 'added.yaml'),
        proofDeployment('proof-added'),
      );
      git(work, 'add', '.');
      git(work, 'commit', '-q', '-m', 'add proof-added');
      const t0 = Date.now();
      git(work, 'push', '-q', bare, 'main');
      const added = git(work, 'rev-parse', 'HEAD');
      await readyAt(added);
      const ready = await eventually(
        'proof-added available',
        () => getJson(rest, deploy('proof-added')),
        d => (d?.status?.availableReplicas ?? 0) >= 1,
        d => JSON.stringify(d?.status ?? 'absent'),
        120_000 - (Date.now() - t0),
      );
      expect(ready.metadata.labels['kustomize.toolkit.fluxcd.io/name']).toBe(
        name,
      );
      console.log(
        `figure: commit -> Kustomization Ready + Deployment available: ${(
          (Date.now() - t0) /
          1000
        ).toFixed(1)}s`,
      );
      const k = fluxState('Kustomization', await getJson(rest, kPath));
      expect(k.inventory).toBe(3);

      // 2. a broken commit: Ready False with Flux's reason; the workloads keep running
      fs.writeFileSync(
        path.join(work, 'deploy', 'broken.yaml'),
        '---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: broken\n  namespace: gitops-proof\nspec:\n  replicas: two\n',
      );
      git(work, 'add', '.');
      git(work, 'commit', '-q', '-m', 'broken manifest');
      git(work, 'push', '-q', bare, 'main');
      const broken = git(work, 'rev-parse', 'HEAD');
      const failed = await eventually(
        `Kustomization ${name} failing at the broken commit`,
        () => getJson(rest, kPath),
        o => {
          const s = fluxState('Kustomization', o);
          return (
            s.ready === 'False' &&
            (o.status?.lastAttemptedRevision ?? '').endsWith(broken)
          );
        },
        o => JSON.stringify(fluxState('Kustomization', o)),
        120_000,
      );
      const fs2 = fluxState('Kustomization', failed);
      console.log(
        `broken commit: Ready=False reason=${
          fs2.reason
        } message=${fs2.message.slice(0, 160)}`,
      );
      expect(fs2.reason).toBe('ReconciliationFailed');
      expect(fs2.message).toMatch(/broken|replicas/);
      expect(fs2.revision.endsWith(added)).toBe(true); // lastAppliedRevision stays at the good commit
      for (const n of ['proof-keep', 'proof-added']) {
        const d = await getJson(rest, deploy(n));
        expect(d?.status?.availableReplicas).toBeGreaterThanOrEqual(1);
      }

      // 3. a commit removing the workload (and the broken file): pruned
      fs.rmSync(path.join(work, 'deploy', 'broken.yaml'));
      fs.rmSync(path.join(work, 'deploy', 'added.yaml'));
      git(work, 'add', '-A');
      git(work, 'commit', '-q', '-m', 'remove proof-added');
      const t1 = Date.now();
      git(work, 'push', '-q', bare, 'main');
      await readyAt(git(work, 'rev-parse', 'HEAD'));
      await eventually(
        'proof-added pruned',
        () => getJson(rest, deploy('proof-added')),
        d => d === undefined || Boolean(d.metadata?.deletionTimestamp),
        d => (d ? 'still present' : 'absent'),
        120_000 - (Date.now() - t1),
      );
      expect(await getJson(rest, deploy('proof-keep'))).toBeDefined();
      console.log(
        `figure: commit -> pruned: ${((Date.now() - t1) / 1000).toFixed(1)}s`,
      );
    } finally {
      await del(rest, kPath); // prune: true -> Flux deletes the namespace and the deployment
      await eventually(
        'scratch Kustomization gone',
        () => getJson(rest, kPath),
        o => o === undefined,
        () => 'present',
        120_000,
      ).catch(() => undefined);
      await del(rest, `${GITREPO}/${name}`);
      fs.rmSync(bare, { recursive: true, force: true });
      fs.rmSync(work, { recursive: true, force: true });
    }
  });

  it('syncs one Secret per Pi-hole instance from its own VaultStaticSecret (metadata only)', async () => {
    const instances = await piholeInstances(fx.clients);
    expect(instances.length).toBeGreaterThanOrEqual(2);
    const hashes = new Set<string>();
    const r = rest;
    for (const { namespace, provider } of instances) {
      const vss = await getJson(
        rest,
        `${VSO}/namespaces/${namespace}/vaultstaticsecrets/pihole-admin`,
      );
      expect(vss.spec.path).toBe(`apps/pihole/${provider}/admin`);
      const secret = await eventually(
        `Secret ${namespace}/pihole-admin`,
        () =>
          getJson(r, `/api/v1/namespaces/${namespace}/secrets/pihole-admin`),
        s => s !== undefined,
        () => 'absent',
        180_000,
      );
      expect(secret.metadata.labels['app.kubernetes.io/managed-by']).toBe(
        'hashicorp-vso',
      );
      expect(secret.metadata.ownerReferences?.[0]).toMatchObject({
        kind: 'VaultStaticSecret',
        name: 'pihole-admin',
      });
      expect(Object.keys(secret.data)).toContain('password');
      hashes.add(hashData(secret.data));
    }
    expect(hashes.size).toBe(instances.length); // each instance has its own value
  });

  it("writes exactly the declared keys into every VaultStaticSecret's Secret, Vault seeded from the same contracts", async () => {
    const { contracts, objects } = await labSecretContracts(fx.paths);
    expect(contracts.length).toBeGreaterThan(0);
    // As `lab gitops up` seeds: rewritten only where the declared key names changed.
    await seedSecrets(
      labVault(fx.paths),
      secretsToSeed(contracts, objects, declaredRoles(g.vaultRoles)),
    );
    const admin = rest;
    for (const c of contracts) {
      // A copy of the tree's VaultStaticSecret beside it: the ones Flux applied come from the
      // revision the lab serves, which may predate this checkout's declarations.
      const declared = objects.find(
        o =>
          o.kind === 'VaultStaticSecret' &&
          o.metadata.namespace === c.namespace &&
          o.metadata.name === c.name,
      ) as unknown as { spec: { destination: { transformation: object } } };
      const name = `${c.name}-contract-proof`;
      const vssPath = `${VSO}/namespaces/${c.namespace}/vaultstaticsecrets/${name}`;
      try {
        await applyObj(rest, vssPath, {
          apiVersion: 'secrets.hashicorp.com/v1beta1',
          kind: 'VaultStaticSecret',
          metadata: { name, namespace: c.namespace },
          spec: {
            vaultAuthRef: c.vaultAuthRef,
            type: 'kv-v2',
            mount: c.mount,
            path: c.path,
            refreshAfter: '1h',
            destination: {
              name,
              create: true,
              transformation: declared.spec.destination.transformation,
            },
          },
        });
        // The harness (lab admin) reads the Secret VSO wrote and keeps its key names only; the
        // values are dropped here and never compared, logged or returned.
        const keys = await eventually(
          `Secret ${c.namespace}/${name} written by VSO`,
          async () => {
            const secret = await getJson(
              admin,
              `/api/v1/namespaces/${c.namespace}/secrets/${name}`,
            );
            return secret ? Object.keys(secret.data ?? {}).sort() : undefined;
          },
          k => k !== undefined,
          () => 'absent',
          180_000,
        );
        expect({ secret: `${c.namespace}/${c.secret}`, keys }).toEqual({
          secret: `${c.namespace}/${c.secret}`,
          keys: [...c.keys].sort(),
        });
      } finally {
        await del(rest, vssPath);
      }
    }
  });

  it('refuses a namespace outside allowedNamespaces: VSO through the shared VaultAuthGlobal, Vault through the role', async () => {
    const ns = 'gitops-proof-outsider';
    const opNs = 'vault-secrets-operator-system';
    const shared = 'cloudlab-shared';
    const platformGlobal = await getJson(
      rest,
      `${VSO}/namespaces/${opNs}/vaultauthglobals/${shared}`,
    );
    // Not "default": VSO v1.5.0 exempts a global of that name in its namespace from the list.
    expect(platformGlobal.spec.allowedNamespaces).not.toContain(ns);
    expect(platformGlobal.spec.allowedNamespaces).not.toContain('*');
    await eventually(
      `namespace ${ns} from an earlier run gone`,
      () => getJson(rest, `/api/v1/namespaces/${ns}`),
      o => o === undefined || !o.metadata.deletionTimestamp,
      () => 'terminating',
      120_000,
    );
    await applyObj(rest, `/api/v1/namespaces/${ns}`, {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: ns },
    });
    const vaultAuth = (name: string, spec: object) =>
      applyObj(rest, `${VSO}/namespaces/${ns}/vaultauths/${name}`, {
        apiVersion: 'secrets.hashicorp.com/v1beta1',
        kind: 'VaultAuth',
        metadata: { name, namespace: ns },
        spec: {
          method: 'kubernetes',
          ...spec,
          kubernetes: {
            role: 'pihole',
            serviceAccount: 'pihole-vault',
            audiences: ['vault'],
            tokenExpirationSeconds: 600,
          },
        },
      });
    const staticSecret = (name: string, auth: string) =>
      applyObj(rest, `${VSO}/namespaces/${ns}/vaultstaticsecrets/${name}`, {
        apiVersion: 'secrets.hashicorp.com/v1beta1',
        kind: 'VaultStaticSecret',
        metadata: { name, namespace: ns },
        spec: {
          vaultAuthRef: auth,
          type: 'kv-v2',
          mount: 'kv',
          path: 'apps/pihole/hetzner/admin',
          refreshAfter: '5s',
          destination: { name, create: true },
        },
      });
    const warnings = (name: string, re: RegExp) =>
      eventually(
        `a Warning event on VaultStaticSecret ${name} matching ${re}`,
        async () =>
          (
            (await getJson(rest, `/api/v1/namespaces/${ns}/events`))?.items ??
            []
          ).filter(
            (e: any) =>
              e.involvedObject?.kind === 'VaultStaticSecret' &&
              e.involvedObject?.name === name &&
              e.type === 'Warning' &&
              re.test(e.message ?? ''),
          ),
        (l: any[]) => l.length > 0,
        () => 'no matching warning events yet',
        120_000,
      );
    try {
      await applyObj(
        rest,
        `/api/v1/namespaces/${ns}/serviceaccounts/pihole-vault`,
        {
          apiVersion: 'v1',
          kind: 'ServiceAccount',
          metadata: { name: 'pihole-vault', namespace: ns },
        },
      );
      // 1. VSO itself: a VaultAuth on the platform's shared global is invalid, and the
      //    VaultStaticSecret using it never reaches Vault (VaultClientConfigError, no login).
      await vaultAuth('via-shared-global', {
        vaultAuthGlobalRef: {
          name: shared,
          namespace: opNs,
          allowDefault: false,
        },
      });
      const notAllowed = new RegExp(
        `target namespace "${ns}" is not allowed by kind=VaultAuthGlobal obj=${opNs}/${shared}`,
      );
      const va = await eventually(
        'VaultAuth refused by VSO',
        () =>
          getJson(rest, `${VSO}/namespaces/${ns}/vaultauths/via-shared-global`),
        o => o?.status?.valid === false && Boolean(o.status.error),
        o => JSON.stringify(o?.status ?? {}),
        120_000,
      );
      expect(va.status.error).toMatch(notAllowed);
      await staticSecret('steal-via-global', 'via-shared-global');
      // VSO's client factory (Unrecoverable) or the VaultStaticSecret controller
      // (VaultClientConfigError) reports it, before any login.
      const refused = await warnings('steal-via-global', notAllowed);
      for (const e of refused)
        expect(['Unrecoverable', 'VaultClientConfigError']).toContain(e.reason);

      // 2. Vault: a VaultAuth of the outsider's own (no global, so VSO lets it log in) is
      //    refused by the pihole role's bound namespaces.
      await vaultAuth('direct', {
        vaultConnectionRef: `${opNs}/default`,
        mount: 'kubernetes',
      });
      await staticSecret('steal-direct', 'direct');
      await warnings('steal-direct', /namespace not authorized/);
      // Meanwhile the one on the shared global still never reached Vault.
      expect(
        await warnings('steal-via-global', /./).then(l =>
          l.filter((e: any) => /auth\/kubernetes\/login/.test(e.message)),
        ),
      ).toEqual([]);

      for (const name of ['steal-via-global', 'steal-direct'])
        expect(
          await getJson(rest, `/api/v1/namespaces/${ns}/secrets/${name}`),
        ).toBeUndefined();
    } finally {
      await del(rest, `/api/v1/namespaces/${ns}`);
    }
  });

  it('picks up a rotated secret and restarts the rollout targets', async () => {
    const ns = 'pihole-hetzner';
    const vault = labVault(fx.paths);
    const secretPath = 'apps/pihole/hetzner/rotation-proof';
    await vault.kvPut('kv', secretPath, {
      password: crypto.randomBytes(18).toString('base64url'),
    });
    const vssPath = `${VSO}/namespaces/${ns}/vaultstaticsecrets/rotation-proof`;
    const secretUrl = `/api/v1/namespaces/${ns}/secrets/rotation-proof`;
    const deployUrl = `/apis/apps/v1/namespaces/${ns}/deployments/pihole`;
    try {
      await applyObj(rest, vssPath, {
        apiVersion: 'secrets.hashicorp.com/v1beta1',
        kind: 'VaultStaticSecret',
        metadata: { name: 'rotation-proof', namespace: ns },
        spec: {
          vaultAuthRef: 'pihole',
          type: 'kv-v2',
          mount: 'kv',
          path: secretPath,
          refreshAfter: '5s',
          destination: { name: 'rotation-proof', create: true },
          rolloutRestartTargets: [{ kind: 'Deployment', name: 'pihole' }],
        },
      });
      const before = await eventually(
        'rotation-proof synced',
        () => getJson(rest, secretUrl),
        s => s !== undefined,
        () => 'absent',
        120_000,
      );
      const restartedAt = (d: any) =>
        d?.spec?.template?.metadata?.annotations?.[
          'vso.secrets.hashicorp.com/restartedAt'
        ];
      const d0 = restartedAt(await getJson(rest, deployUrl));
      const t0 = Date.now();
      await vault.kvPut('kv', secretPath, {
        password: crypto.randomBytes(18).toString('base64url'),
      });
      const after = await eventually(
        'rotation-proof updated',
        () => getJson(rest, secretUrl),
        s =>
          s.metadata.resourceVersion !== before.metadata.resourceVersion &&
          hashData(s.data) !== hashData(before.data),
        s => `resourceVersion ${s.metadata.resourceVersion}`,
        120_000,
      );
      expect(after.metadata.uid).toBe(before.metadata.uid);
      const d1 = await eventually(
        'pihole restarted',
        () => getJson(rest, deployUrl),
        d => restartedAt(d) !== undefined && restartedAt(d) !== d0,
        d => `restartedAt=${restartedAt(d)}`,
        120_000,
      );
      console.log(
        `figure: rotation -> Secret updated and rollout restarted: ${(
          (Date.now() - t0) /
          1000
        ).toFixed(1)}s (restartedAt ${restartedAt(d1)})`,
      );
    } finally {
      await del(rest, vssPath);
    }
  });
});
