import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  FluxObjectRef,
  entityGitOpsResponseSchema,
  entitySecretsResponseSchema,
  fluxActionResponseSchema,
  multiProviderFluxOperatePermission,
  platformGitOpsResponseSchema,
} from '@cloudlab/plugin-multi-provider-common';
import request from 'supertest';
import { multiProviderBackend } from '../multiProviderBackend';
import {
  InMemoryCluster,
  InMemoryClusterSource,
} from '../shared/InMemoryClusterSource';
import { clusterSourceServiceRef } from '@cloudlab/plugin-multi-provider-node';
import nodes from '../__fixtures__/nodes.json';
import pods from '../__fixtures__/pods.json';
import * as fx from '../__fixtures__/gitops';
import { FLUX_RESOURCES, VSO_RESOURCES } from './resources';
import {
  FluxOperator,
  FluxPatch,
  fluxOperatorServiceRef,
} from '@cloudlab/plugin-multi-provider-node';
import { repositoryCloudlabConfig } from '../__testUtils__/repositoryConfig';


function labCluster() {
  const lab = new InMemoryCluster('lab', { nodes: nodes as any, pods: pods as any });
  lab.addCustom(FLUX_RESOURCES.GitRepository, [fx.gitRepository]);
  lab.addCustom(FLUX_RESOURCES.Kustomization, [fx.rbac, fx.vsoConfig, fx.pihole]);
  lab.addCustom(FLUX_RESOURCES.HelmRelease, [fx.helmRelease]);
  lab.addCustom(FLUX_RESOURCES.HelmRepository, [fx.helmRepository]);
  lab.addCustom(FLUX_RESOURCES.OCIRepository, []);
  lab.addCustom(VSO_RESOURCES.VaultStaticSecret, [fx.staticSecret]);
  lab.addCustom(VSO_RESOURCES.VaultAuth, [fx.vaultAuth]);
  lab.addCustom(VSO_RESOURCES.VaultAuthGlobal, [fx.vaultAuthGlobal]);
  lab.addCustom(VSO_RESOURCES.VaultConnection, [fx.vaultConnection]);
  lab.addCustom(VSO_RESOURCES.VaultDynamicSecret, []);
  return lab;
}

class FakeOperator implements FluxOperator {
  patches: Array<{ ref: FluxObjectRef; patch: FluxPatch }> = [];
  constructor(private readonly names: string[]) {}
  clusters() {
    return this.names;
  }
  async patch(ref: FluxObjectRef, patch: FluxPatch) {
    this.patches.push({ ref, patch });
  }
}

/** Counts every list and watch call of a cluster's resources. */
function calls(cluster: InMemoryCluster) {
  return [cluster.nodes, cluster.pods, ...cluster.custom.values()].reduce(
    (n, r) => n + r.listCalls,
    0,
  );
}

async function start(options: {
  permission?: AuthorizeResult.ALLOW | AuthorizeResult.DENY;
  /** Per-permission decisions, overriding `permission`. */
  decide?: (name: string) => AuthorizeResult.ALLOW | AuthorizeResult.DENY;
  clusters?: InMemoryCluster[];
  operator?: FakeOperator;
} = {}) {
  const clusters = options.clusters ?? [labCluster()];
  const operator = options.operator ?? new FakeOperator([]);
  const permissions = options.decide
    ? createServiceFactory({
        service: coreServices.permissions,
        deps: {},
        factory: () => ({
          authorize: async (reqs: any[]) =>
            reqs.map(r => ({ result: options.decide!(r.permission.name) })) as any,
          authorizeConditional: async (reqs: any[]) =>
            reqs.map(r => ({ result: options.decide!(r.permission.name) })) as any,
        }),
      })
    : mockServices.permissions.factory({
        result: options.permission ?? AuthorizeResult.ALLOW,
      });
  const { server } = await startTestBackend({
    features: [
      multiProviderBackend,
      mockServices.rootConfig.factory({ data: { cloudlab: repositoryCloudlabConfig() } }),
      permissions,
      catalogServiceMock.factory({
        entities: [fx.piholeEntity, fx.vsoConfigEntity, fx.vaultEntity, fx.goneEntity],
      }),
      createServiceFactory({
        service: clusterSourceServiceRef,
        deps: {},
        factory: () => new InMemoryClusterSource(clusters),
      }),
      createServiceFactory({
        service: fluxOperatorServiceRef,
        deps: {},
        factory: () => operator,
      }),
    ],
  });
  // Wait until every informer listed (absent CRDs: until they reported their error).
  for (let i = 0; i < 200; i++) {
    const res = await request(server).get('/api/multi-provider/platform/gitops');
    if (res.status !== 200) break;
    const ok = res.body.clusters.every(
      (c: any) => c.state !== 'syncing' && (c.objects.length > 0 || c.unavailable.length > 0 || c.state === 'error'),
    );
    if (ok) break;
    await new Promise(r => setTimeout(r, 10));
  }
  return { server, clusters, operator };
}

const api = '/api/multi-provider';

describe('GitOps views', () => {
  it("shows an entity's Flux objects, inventory with placement, dependsOn chain and roll-up", async () => {
    const { server } = await start();
    const res = await request(server).get(`${api}/entity/default/component/apps-pihole-hetzner/gitops`);
    expect(res.status).toBe(200);
    const body = entityGitOpsResponseSchema.parse(res.body);
    const [lab] = body.clusters;
    expect(lab.objects).toHaveLength(1);
    const k = lab.objects[0];
    expect(k).toMatchObject({
      kind: 'Kustomization',
      name: 'apps-pihole-hetzner',
      state: 'ready',
      lastAppliedRevision: 'main@sha1:abc',
      requestedAt: '2026-01-01T00:00:00Z',
      suspended: false,
    });
    const deployment = k.inventory!.find(e => e.kind === 'Deployment')!;
    expect(deployment).toMatchObject({ namespace: 'pihole-hetzner', name: 'pihole', group: 'apps' });
    // The chain: pihole → platform-vso-config (failed) → platform-rbac; sources.
    expect(lab.links.map(l => `${l.from.name} -${l.relation}-> ${l.to.name}: ${l.state}`)).toEqual([
      'apps-pihole-hetzner -dependsOn-> platform-vso-config: failed',
      'apps-pihole-hetzner -source-> flux-system: ready',
      'platform-vso-config -dependsOn-> platform-rbac: ready',
      'platform-vso-config -source-> flux-system: ready',
      'platform-rbac -source-> flux-system: ready',
    ]);
    expect(body.rollup).toMatchObject({
      verdict: 'degraded',
      reason: 'ReconciliationFailed',
      object: { kind: 'Kustomization', name: 'platform-vso-config' },
    });
  });

  it("turns the roll-up red with Flux's reason when the entity's own object fails", async () => {
    const { server } = await start();
    const res = await request(server).get(`${api}/entity/default/component/platform-vso-config/gitops`);
    const body = entityGitOpsResponseSchema.parse(res.body);
    expect(body.rollup).toMatchObject({
      verdict: 'failing',
      reason: 'ReconciliationFailed',
      message: expect.stringMatching(/replicas/),
    });
    expect(body.clusters[0].objects[0]).toMatchObject({
      lastAppliedRevision: 'main@sha1:abc',
      lastAttemptedRevision: 'main@sha1:def',
    });
    const vault = entityGitOpsResponseSchema.parse(
      (await request(server).get(`${api}/entity/default/component/vault/gitops`)).body,
    );
    expect(vault.rollup).toMatchObject({ verdict: 'failing', reason: 'SourceNotReady' });
    expect(vault.clusters[0].links.map(l => `${l.relation}:${l.to.name}:${l.state}`)).toEqual([
      'appliedBy:platform-rbac:ready',
      'source:hashicorp:failed',
      'source:flux-system:ready',
    ]);
    const gone = entityGitOpsResponseSchema.parse(
      (await request(server).get(`${api}/entity/default/component/gone/gitops`)).body,
    );
    expect(gone.rollup).toMatchObject({ verdict: 'failing', reason: 'NotFound' });
  });

  it('lists every Flux object with its roll-up, filterable by verdict', async () => {
    const { server } = await start();
    const all = platformGitOpsResponseSchema.parse(
      (await request(server).get(`${api}/platform/gitops`)).body,
    ).clusters[0];
    expect(all.objects).toHaveLength(6);
    expect(all.counts).toMatchObject({ healthy: 2, failing: 3, degraded: 1 });
    const failing = platformGitOpsResponseSchema.parse(
      (await request(server).get(`${api}/platform/gitops?state=failing`)).body,
    ).clusters[0];
    expect(failing.objects.map(o => `${o.kind}/${o.name}`)).toEqual([
      'HelmRelease/vault',
      'HelmRepository/hashicorp',
      'Kustomization/platform-vso-config',
    ]);
    const bad = await request(server).get(`${api}/platform/gitops?state=purple`);
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/state/);
    expect((await request(server).get(`${api}/platform/gitops?cluster=nope`)).status).toBe(404);
  });

  it('shows synced secrets with their auth chain, never a value or its HMAC', async () => {
    const { server } = await start();
    const res = await request(server).get(`${api}/entity/default/component/apps-pihole-hetzner/secrets`);
    expect(res.status).toBe(200);
    expect(res.text).not.toContain(fx.SECRET_MAC);
    expect(res.text).not.toContain('.Secrets.password');
    const [lab] = entitySecretsResponseSchema.parse(res.body).clusters;
    expect(lab.secrets).toEqual([
      expect.objectContaining({
        kind: 'VaultStaticSecret',
        name: 'pihole-admin',
        state: 'synced',
        lastSync: '2026-01-01T00:01:00Z',
        refreshAfter: '1h',
        destination: { name: 'pihole-admin', create: true },
        destinationExists: true,
        rolloutRestartTargets: [{ kind: 'Deployment', name: 'pihole' }],
      }),
    ]);
    // The global is found through the VaultAuth's reference, whatever its name.
    expect(lab.auths.map(a => `${a.kind}/${a.name}:${a.state}`)).toEqual([
      'VaultAuth/pihole:valid',
      'VaultAuthGlobal/platform-global:unreported',
      'VaultConnection/default:valid',
    ]);
  });

  it('reports a cluster without the Flux and VSO CRDs per cluster, the other still answers', async () => {
    const bare = new InMemoryCluster('bare', { nodes: nodes as any, pods: [] });
    const { server } = await start({ clusters: [labCluster(), bare] });
    const res = await request(server).get(`${api}/entity/default/component/apps-pihole-hetzner/gitops`);
    expect(res.status).toBe(200);
    const [lab, other] = entityGitOpsResponseSchema.parse(res.body).clusters;
    expect(lab.objects).toHaveLength(1);
    expect(other.objects).toEqual([]);
    expect(other.unavailable.map(u => u.resource)).toEqual(
      expect.arrayContaining(['kustomizations.kustomize.toolkit.fluxcd.io', 'helmreleases.helm.toolkit.fluxcd.io']),
    );
    expect(other.unavailable[0].error).toMatch(/could not find/);
    const secrets = entitySecretsResponseSchema.parse(
      (await request(server).get(`${api}/entity/default/component/apps-pihole-hetzner/secrets`)).body,
    );
    expect(secrets.clusters[1].unavailable).toHaveLength(5);
  });

  describe('actions', () => {
    const reconcile = { cluster: 'lab', kind: 'Kustomization', namespace: 'flux-system', name: 'apps-pihole-hetzner', action: 'reconcile' };

    it('answers 501 naming the config key when no operator credential is configured', async () => {
      const { server } = await start();
      const res = await request(server).post(`${api}/gitops/action`).send(reconcile);
      expect(res.status).toBe(501);
      expect(res.body.error.message).toMatch(/multiProvider\.gitops\.operator\.clusters/);
    });

    it('patches through the operator: reconcile, suspend, resume', async () => {
      const operator = new FakeOperator(['lab']);
      const { server } = await start({ operator });
      const r = await request(server).post(`${api}/gitops/action`).send(reconcile);
      expect(r.status).toBe(200);
      const body = fluxActionResponseSchema.parse(r.body);
      expect(operator.patches[0]).toEqual({
        ref: { cluster: 'lab', kind: 'Kustomization', namespace: 'flux-system', name: 'apps-pihole-hetzner' },
        patch: { metadata: { annotations: { 'reconcile.fluxcd.io/requestedAt': body.requestedAt } } },
      });
      await request(server).post(`${api}/gitops/action`).send({ ...reconcile, action: 'suspend' }).expect(200);
      await request(server).post(`${api}/gitops/action`).send({ ...reconcile, action: 'resume' }).expect(200);
      expect(operator.patches.slice(1).map(p => p.patch)).toEqual([
        { spec: { suspend: true } },
        { spec: { suspend: false } },
      ]);
    });

    it('only targets configured clusters and cached Flux objects', async () => {
      const operator = new FakeOperator(['lab']);
      const { server } = await start({ operator });
      const other = await request(server).post(`${api}/gitops/action`).send({ ...reconcile, cluster: 'https://evil.example' });
      expect(other.status).toBe(404);
      const unknown = await request(server).post(`${api}/gitops/action`).send({ ...reconcile, name: 'not-there' });
      expect(unknown.status).toBe(404);
      const kind = await request(server).post(`${api}/gitops/action`).send({ ...reconcile, kind: 'Secret' });
      expect(kind.status).toBe(400);
      expect(kind.body.error.message).toMatch(/kind/);
      expect(operator.patches).toEqual([]);
    });

    it('needs the operate permission, separate from reading', async () => {
      const operator = new FakeOperator(['lab']);
      const { server } = await start({
        operator,
        decide: name =>
          name === multiProviderFluxOperatePermission.name ? AuthorizeResult.DENY : AuthorizeResult.ALLOW,
      });
      expect((await request(server).get(`${api}/platform/gitops`)).status).toBe(200);
      const res = await request(server).post(`${api}/gitops/action`).send(reconcile);
      expect(res.status).toBe(403);
      expect(operator.patches).toEqual([]);
    });
  });

  it('answers 403 from every GitOps route on DENY and sends no request to any cluster', async () => {
    const operator = new FakeOperator(['lab']);
    const { server, clusters } = await start({ permission: AuthorizeResult.DENY, operator });
    const before = calls(clusters[0]);
    const responses = await Promise.all([
      request(server).get(`${api}/entity/default/component/apps-pihole-hetzner/gitops`),
      request(server).get(`${api}/entity/default/component/apps-pihole-hetzner/secrets`),
      request(server).get(`${api}/platform/gitops`),
      request(server).get(`${api}/platform/gitops?state=purple`),
      request(server).post(`${api}/gitops/action`).send({ cluster: 'lab', kind: 'Kustomization', namespace: 'flux-system', name: 'apps-pihole-hetzner', action: 'reconcile' }),
      request(server).post(`${api}/gitops/action`).send({}),
    ]);
    expect(responses.map(r => r.status)).toEqual([403, 403, 403, 403, 403, 403]);
    expect(calls(clusters[0])).toBe(before);
    expect(operator.patches).toEqual([]);
  });
});
