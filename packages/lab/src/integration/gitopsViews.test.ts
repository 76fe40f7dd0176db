import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import multiProviderPlugin from '@cloudlab/plugin-multi-provider-backend';
import {
  entityGitOpsResponseSchema,
  entitySecretsResponseSchema,
  fluxActionResponseSchema,
  platformGitOpsResponseSchema,
} from '@cloudlab/plugin-multi-provider-common';
import * as k8s from '@kubernetes/client-node';
import request from 'supertest';
import { gitopsPaths } from '../gitops/loop/components';
import { gitopsStatus, labVault } from '../gitops/loop/loop';
import { KubeRest } from '../kube/rest';
import { PORTAL_SA } from '../commands/up';
import {
  describeGitops,
  eventually,
  git,
  labFixture,
  scratchGitRepository,
  seedScratchRepository,
  LabFixture,
  labCloudlabConfig,
  labKubernetesConfig,
  piholeEntities,
} from './labFixture';

/**
 * Proofs of the GitOps and Secrets views and of the portal's least privilege (security
 * properties 3 and 6), through the real multi-provider backend (startTestBackend) reading the
 * lab with the portal's read-only token, against the real Flux and VSO of `lab gitops up`.
 * scripts/lab-test.sh --gitops runs it. Secret values are read from Vault into memory only to
 * assert they never appear in an answer; they are never printed.
 */
jest.setTimeout(600_000);

const KUST =
  '/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/flux-system/kustomizations';
const GITREPO =
  '/apis/source.toolkit.fluxcd.io/v1/namespaces/flux-system/gitrepositories';
const API = '/api/multi-provider';
const PORTAL_USER = `system:serviceaccount:${PORTAL_SA.namespace}:${PORTAL_SA.name}`;

async function applyObj(rest: KubeRest, p: string, obj: object) {
  const r = await rest.request(
    'PATCH',
    `${p}?fieldManager=cloudlab-lab-views-test&force=true`,
    JSON.stringify(obj),
    'application/apply-patch+yaml',
  );
  if (r.status >= 300)
    throw new Error(`apply ${p}: HTTP ${r.status} ${r.body}`);
}

/**
 * Audit events (JSON lines) received at or after `since`. An API server stopped mid-write leaves
 * a torn line, and the next one appends its first event to it: each event is read from where it
 * starts. A torn piece cannot be judged, so one that names the portal's ServiceAccount and
 * Secrets fails the proof rather than being skipped.
 */
function auditEvents(file: string, since: Date): any[] {
  if (!fs.existsSync(file)) return [];
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  // The last piece is empty, or a line the API server is still writing: complete lines only.
  lines.pop();
  const events: any[] = [];
  for (const line of lines.filter(Boolean)) {
    for (const piece of line.split(/(?=\{"kind":"Event")/)) {
      try {
        events.push(JSON.parse(piece));
      } catch {
        if (piece.includes(PORTAL_USER) && piece.includes('"secrets"'))
          throw new Error(
            `a torn audit line names ${PORTAL_USER} and secrets: ${piece}`,
          );
      }
    }
  }
  return events.filter(e => new Date(e.requestReceivedTimestamp) >= since);
}

function kubeconfigWithToken(server: string, caFile: string, token: string) {
  const kc = new k8s.KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'lab', server, caFile }],
    users: [{ name: 'u', token }],
    contexts: [{ name: 'lab', cluster: 'lab', user: 'u' }],
    currentContext: 'lab',
  });
  return kc;
}

describeGitops('the GitOps views on the lab', () => {
  let fx: LabFixture;
  let rest: KubeRest;
  let apiserverUrl: string;
  let backend: any;
  const server = () => backend;
  const started = new Date(Date.now() - 1000);
  const responses: string[] = [];
  const name = `views-proof-${Date.now()}`;
  const proofEntity = {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name,
      namespace: 'default',
      // What the Flux catalog module writes for a Kustomization of the lab cluster.
      annotations: {
        'cloudlab.dev/flux-kustomizations': `lab/flux-system/${name}`,
      },
    },
    spec: {
      type: 'service',
      lifecycle: 'experimental',
      owner: 'group:default/platform-team',
    },
  };
  const get = async (url: string) => {
    const res = await request(server()).get(url);
    responses.push(res.text);
    return res;
  };

  beforeAll(async () => {
    fx = await labFixture();
    rest = fx.clients.rest;
    apiserverUrl = fs.readFileSync(fx.paths.apiserverUrl, 'utf8').trim();
    const down = (await gitopsStatus())
      .filter(s => !s.healthy)
      .map(s => s.name);
    if (down.length)
      throw new Error(
        `GitOps loop not healthy (${down.join(', ')}): run yarn lab gitops up`,
      );
    const started_ = await startTestBackend({
      features: [
        multiProviderPlugin,
        mockServices.rootConfig.factory({
          data: {
            kubernetes: labKubernetesConfig(fx),
            cloudlab: labCloudlabConfig(fx.paths),
            multiProvider: {
              gitops: {
                operator: {
                  clusters: [
                    {
                      name: 'lab',
                      serviceAccountToken: fs
                        .readFileSync(fx.paths.portalOperatorToken, 'utf8')
                        .trim(),
                    },
                  ],
                },
              },
            },
          },
        }),
        mockServices.permissions.factory({ result: AuthorizeResult.ALLOW }),
        catalogServiceMock.factory({
          entities: [...piholeEntities(fx.paths.root), proofEntity],
        }),
      ],
    });
    backend = started_.server;
    await eventually(
      'the backend cache to list the Flux objects',
      () => request(backend).get(`${API}/platform/gitops`),
      r =>
        r.status === 200 &&
        r.body.clusters[0]?.objects.some(
          (o: any) => o.name === 'apps-pihole-hetzner',
        ),
      r => `${r.status} ${r.text.slice(0, 300)}`,
      60_000,
    );
  });

  it('shows each Pi-hole instance with its Kustomization, chain and synced admin Secret', async () => {
    for (const instance of ['pihole-hetzner', 'pihole-scaleway']) {
      const gitops = entityGitOpsResponseSchema.parse(
        (await get(`${API}/entity/default/component/${instance}/gitops`)).body,
      );
      const [lab] = gitops.clusters;
      expect(lab.objects.map(o => `${o.kind}/${o.name}`)).toEqual([
        `Kustomization/apps-${instance}`,
      ]);
      expect(lab.objects[0].inventory?.map(e => e.kind)).toEqual(
        expect.arrayContaining([
          'Deployment',
          'VaultStaticSecret',
          'VaultAuth',
        ]),
      );
      const deployment = lab.objects[0].inventory!.find(
        e => e.kind === 'Deployment',
      );
      expect(deployment?.placement?.pods).toBeGreaterThan(0);
      expect(
        lab.links.some(
          l => l.relation === 'source' && l.to.name === 'flux-system',
        ),
      ).toBe(true);
      console.log(
        `${instance}: roll-up ${gitops.rollup.verdict} (${
          gitops.rollup.summary
        }); chain ${lab.links
          .map(l => `${l.from.name}-${l.relation}->${l.to.name}:${l.state}`)
          .join(', ')}`,
      );

      const secrets = entitySecretsResponseSchema.parse(
        (await get(`${API}/entity/default/component/${instance}/secrets`)).body,
      ).clusters[0];
      const provider = instance.replace('pihole-', '');
      expect(secrets.secrets).toEqual([
        expect.objectContaining({
          kind: 'VaultStaticSecret',
          namespace: instance,
          name: 'pihole-admin',
          path: `apps/pihole/${provider}/admin`,
          state: 'synced',
          destination: { name: 'pihole-admin', create: true },
          destinationExists: true,
          refreshAfter: '1h',
          rolloutRestartTargets: [{ kind: 'Deployment', name: 'pihole' }],
          lastSync: expect.any(String),
        }),
      ]);
      // The VaultAuth's global is found by reference, whatever it is called.
      const auth = secrets.auths.find(a => a.kind === 'VaultAuth')!;
      expect(auth).toMatchObject({ state: 'valid', role: 'pihole' });
      expect(secrets.auths.map(a => a.kind)).toEqual(
        expect.arrayContaining(['VaultAuthGlobal', 'VaultConnection']),
      );
      expect(secrets.auths.find(a => a.kind === 'VaultAuthGlobal')?.name).toBe(
        auth.vaultAuthGlobalRef?.name,
      );
    }
  });

  it("turns an entity's roll-up red with Flux's reason on a broken commit, green again on the fix", async () => {
    const g = gitopsPaths(fx.paths);
    const bare = path.join(g.gitRoot, `${name}.git`);
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'views-proof-'));
    const cm = (data: string) =>
      `---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: views-proof\n  namespace: default\ndata:\n  value: "${data}"\n`;
    const rollupOf = async () =>
      entityGitOpsResponseSchema.parse(
        (await get(`${API}/entity/default/component/${name}/gitops`)).body,
      );
    try {
      const good = seedScratchRepository(bare, work, 'good', () => {
        fs.mkdirSync(path.join(work, 'deploy'));
        fs.writeFileSync(path.join(work, 'deploy', 'cm.yaml'), cm('one'));
      });
      await applyObj(rest, `${GITREPO}/${name}`, scratchGitRepository(name));
      await applyObj(rest, `${KUST}/${name}`, {
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
      const healthy = await eventually(
        'the roll-up healthy at the good commit',
        rollupOf,
        r =>
          r.rollup.verdict === 'healthy' &&
          (r.clusters[0].objects[0]?.lastAppliedRevision ?? '').endsWith(good),
        r => JSON.stringify(r.rollup),
        120_000,
      );
      expect(healthy.clusters[0].objects[0].inventory).toEqual([
        expect.objectContaining({ kind: 'ConfigMap', name: 'views-proof' }),
      ]);

      // A broken commit: the roll-up turns red with kustomize-controller's reason.
      fs.writeFileSync(
        path.join(work, 'deploy', 'broken.yaml'),
        '---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: broken\n  namespace: default\nspec:\n  replicas: two\n',
      );
      git(work, 'add', '.');
      git(work, 'commit', '-q', '-m', 'broken');
      const t0 = Date.now();
      git(work, 'push', '-q', bare, 'main');
      const broken = git(work, 'rev-parse', 'HEAD');
      const red = await eventually(
        'the roll-up failing at the broken commit',
        rollupOf,
        r =>
          r.rollup.verdict === 'failing' &&
          (r.clusters[0].objects[0]?.lastAttemptedRevision ?? '').endsWith(
            broken,
          ),
        r => JSON.stringify(r.rollup),
        120_000,
      );
      console.log(
        `figure: broken commit -> roll-up failing through the backend: ${(
          (Date.now() - t0) /
          1000
        ).toFixed(1)}s; reason ${
          red.rollup.reason
        }: ${red.rollup.message?.slice(0, 140)}`,
      );
      expect(red.rollup).toMatchObject({
        reason: 'ReconciliationFailed',
        object: { cluster: 'lab', kind: 'Kustomization', name },
      });
      expect(red.rollup.message).toMatch(/broken|replicas/);
      // Flux keeps the last good revision applied; the view says so.
      expect(red.clusters[0].objects[0].lastAppliedRevision).toMatch(
        new RegExp(`${good}$`),
      );
      const failing = platformGitOpsResponseSchema.parse(
        (await get(`${API}/platform/gitops?state=failing`)).body,
      );
      expect(failing.clusters[0].objects.map(o => o.name)).toContain(name);

      // "Reconcile now" through the backend with the operator credential.
      const action = await request(server()).post(`${API}/gitops/action`).send({
        cluster: 'lab',
        kind: 'Kustomization',
        namespace: 'flux-system',
        name,
        action: 'reconcile',
      });
      expect(action.status).toBe(200);
      const { requestedAt } = fluxActionResponseSchema.parse(action.body);
      const after = await rest.request('GET', `${KUST}/${name}`);
      expect(
        JSON.parse(after.body).metadata.annotations[
          'reconcile.fluxcd.io/requestedAt'
        ],
      ).toBe(requestedAt);

      // The fix: green again.
      fs.rmSync(path.join(work, 'deploy', 'broken.yaml'));
      git(work, 'add', '-A');
      git(work, 'commit', '-q', '-m', 'fix');
      git(work, 'push', '-q', bare, 'main');
      const fixed = git(work, 'rev-parse', 'HEAD');
      await eventually(
        'the roll-up healthy again after the fix',
        rollupOf,
        r =>
          r.rollup.verdict === 'healthy' &&
          (r.clusters[0].objects[0]?.lastAppliedRevision ?? '').endsWith(fixed),
        r => JSON.stringify(r.rollup),
        120_000,
      );

      // Suspend and resume through the backend.
      for (const [act, suspended] of [
        ['suspend', true],
        ['resume', false],
      ] as const) {
        const r = await request(server()).post(`${API}/gitops/action`).send({
          cluster: 'lab',
          kind: 'Kustomization',
          namespace: 'flux-system',
          name,
          action: act,
        });
        expect(r.status).toBe(200);
        await eventually(
          `the view to show suspended=${suspended}`,
          rollupOf,
          v => v.clusters[0].objects[0]?.suspended === suspended,
          v => JSON.stringify(v.clusters[0].objects[0]?.suspended),
          30_000,
        );
      }
    } finally {
      await rest.request('DELETE', `${KUST}/${name}`);
      await rest.request('DELETE', `${GITREPO}/${name}`);
      await rest.request(
        'DELETE',
        '/api/v1/namespaces/default/configmaps/views-proof',
      );
      fs.rmSync(bare, { recursive: true, force: true });
      fs.rmSync(work, { recursive: true, force: true });
    }
  });

  it('never puts a secret value seeded in Vault into an answer', async () => {
    // Exercise every read route once more.
    await get(`${API}/platform/gitops`);
    const vault = labVault(fx.paths);
    const values: string[] = [];
    for (const provider of fx.providers.map(p => p.name)) {
      const r = await vault.request(
        'GET',
        `kv/data/apps/pihole/${provider}/admin`,
      );
      if (r.status === 200)
        values.push(...Object.values<string>(r.json.data.data));
    }
    expect(values.length).toBeGreaterThanOrEqual(2);
    expect(responses.length).toBeGreaterThan(5);
    const leaks = responses.filter(body => values.some(v => body.includes(v)));
    expect(leaks).toHaveLength(0);
  });

  it("shows no Secret request by the portal's ServiceAccount in the audit log; a direct read gets 403", async () => {
    const events = auditEvents(fx.paths.auditLog, started);
    const byPortal = events.filter(e => e.user?.username === PORTAL_USER);
    // Positive control: the portal's reads of Flux and VSO objects are audited.
    const resources = new Set(byPortal.map(e => e.objectRef?.resource));
    expect([...resources]).toEqual(
      expect.arrayContaining(['kustomizations', 'vaultstaticsecrets', 'pods']),
    );
    const secretRequests = byPortal.filter(
      e => e.objectRef?.resource === 'secrets',
    );
    console.log(
      `audit: ${byPortal.length} requests by ${PORTAL_USER} since the views test started, ${secretRequests.length} on secrets`,
    );
    expect(secretRequests).toEqual([]);

    // A direct Secret read with the portal token: 403, and the audit log records the attempt.
    const portal = kubeconfigWithToken(
      apiserverUrl,
      fx.paths.caCert,
      fs.readFileSync(fx.paths.portalToken, 'utf8').trim(),
    ).makeApiClient(k8s.CoreV1Api);
    const attempt = new Date(Date.now() - 1000);
    await expect(
      portal.readNamespacedSecret({
        namespace: 'pihole-hetzner',
        name: 'pihole-admin',
      }),
    ).rejects.toMatchObject({ code: 403 });
    const recorded = await eventually(
      'the refused Secret read in the audit log',
      async () =>
        auditEvents(fx.paths.auditLog, attempt).filter(
          e =>
            e.user?.username === PORTAL_USER &&
            e.objectRef?.resource === 'secrets',
        ),
      l => l.length > 0,
      l => JSON.stringify(l),
      10_000,
    );
    expect(recorded[0]).toMatchObject({
      verb: 'get',
      responseStatus: { code: 403 },
      objectRef: { namespace: 'pihole-hetzner', name: 'pihole-admin' },
    });
    // Metadata level: no request or response body in the log.
    expect(recorded[0].requestObject).toBeUndefined();
    expect(recorded[0].responseObject).toBeUndefined();
  });

  it('gives the operator credential patch on Flux kinds only', async () => {
    const operator = kubeconfigWithToken(
      apiserverUrl,
      fx.paths.caCert,
      fs.readFileSync(fx.paths.portalOperatorToken, 'utf8').trim(),
    );
    await expect(
      operator.makeApiClient(k8s.CoreV1Api).readNamespacedSecret({
        namespace: 'pihole-hetzner',
        name: 'pihole-admin',
      }),
    ).rejects.toMatchObject({ code: 403 });
    await expect(
      operator.makeApiClient(k8s.CustomObjectsApi).listClusterCustomObject({
        group: 'kustomize.toolkit.fluxcd.io',
        version: 'v1',
        plural: 'kustomizations',
      }),
    ).rejects.toMatchObject({ code: 403 });
  });
});
