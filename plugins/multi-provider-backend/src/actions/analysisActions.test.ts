import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  multiProviderGitopsReadPermission,
  multiProviderPlacementReadPermission,
  multiProviderStorageReadPermission,
} from '@cloudlab/plugin-multi-provider-common';
import { clusterSourceServiceRef } from '@cloudlab/plugin-multi-provider-node';
import request from 'supertest';
import { multiProviderBackend } from '../multiProviderBackend';
import {
  InMemoryCluster,
  InMemoryClusterSource,
} from '../shared/InMemoryClusterSource';
import { FLUX_RESOURCES } from '../gitops/resources';
import { repositoryCloudlabConfig } from '../__testUtils__/repositoryConfig';
import nodes from '../__fixtures__/nodes.json';
import pods from '../__fixtures__/pods.json';
import * as fx from '../__fixtures__/gitops';

const web = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'web',
    namespace: 'default',
    annotations: { 'backstage.io/kubernetes-id': 'web' },
  },
  spec: { type: 'service', lifecycle: 'production', owner: 'team-a' },
};

const ACTIONS = '/api/multi-provider/.backstage/actions/v1/actions';
const invoke = (name: string) =>
  `${ACTIONS}/${encodeURIComponent(`multi-provider:${name}`)}/invoke`;

/** Each action, an input, and the route that must give the same answer. */
const cases = [
  {
    name: 'get-entity-placement',
    input: { entityRef: 'component:default/web' },
    route: [
      'get',
      '/api/multi-provider/entity/default/component/web/placement',
    ],
    permission: multiProviderPlacementReadPermission.name,
  },
  {
    name: 'simulate-failure-domain',
    input: { level: 'provider', name: 'hetzner' },
    route: ['post', '/api/multi-provider/platform/failure-domain'],
    permission: multiProviderPlacementReadPermission.name,
  },
  {
    name: 'get-entity-storage',
    input: { entityRef: 'component:web' },
    route: ['get', '/api/multi-provider/entity/default/component/web/storage'],
    permission: multiProviderStorageReadPermission.name,
  },
  {
    name: 'get-desired-storage',
    input: { cluster: 'lab' },
    route: ['get', '/api/multi-provider/platform/storage/desired?cluster=lab'],
    permission: multiProviderStorageReadPermission.name,
  },
  {
    name: 'get-entity-gitops',
    input: { entityRef: 'component:default/apps-pihole-hetzner' },
    route: [
      'get',
      '/api/multi-provider/entity/default/component/apps-pihole-hetzner/gitops',
    ],
    permission: multiProviderGitopsReadPermission.name,
  },
] as const;

async function start(deny: string[] = []) {
  const asked: string[] = [];
  const decide = (name: string) => {
    asked.push(name);
    return deny.includes(name) ? AuthorizeResult.DENY : AuthorizeResult.ALLOW;
  };
  const lab = new InMemoryCluster('lab', {
    nodes: nodes as any,
    pods: pods as any,
  });
  lab.addCustom(FLUX_RESOURCES.GitRepository, [fx.gitRepository]);
  lab.addCustom(FLUX_RESOURCES.Kustomization, [
    fx.rbac,
    fx.vsoConfig,
    fx.pihole,
  ]);
  const { server } = await startTestBackend({
    features: [
      multiProviderBackend,
      mockServices.rootConfig.factory({
        data: { cloudlab: repositoryCloudlabConfig() },
      }),
      createServiceFactory({
        service: coreServices.permissions,
        deps: {},
        factory: () => ({
          authorize: async (reqs: any[]) =>
            reqs.map(r => ({ result: decide(r.permission.name) })) as any,
          authorizeConditional: async (reqs: any[]) =>
            reqs.map(r => ({ result: decide(r.permission.name) })) as any,
        }),
      }),
      catalogServiceMock.factory({ entities: [web, fx.piholeEntity] }),
      createServiceFactory({
        service: clusterSourceServiceRef,
        deps: {},
        factory: () => new InMemoryClusterSource([lab]),
      }),
    ],
  });
  for (let i = 0; i < 200; i++) {
    const res = await request(server).get(
      '/api/multi-provider/platform/gitops',
    );
    if (res.status !== 200) break;
    if (res.body.clusters.every((c: any) => c.objects.length > 0)) break;
    await new Promise(r => setTimeout(r, 10));
  }
  asked.length = 0;
  return { server, asked };
}

describe('analysis actions', () => {
  jest.setTimeout(60_000);

  it('lists every analysis as read-only, idempotent, non-destructive, with schemas', async () => {
    const { server } = await start();
    const res = await request(server).get(ACTIONS);
    expect(res.status).toBe(200);
    const actions = res.body.actions as any[];
    expect(actions.map(a => a.name).sort()).toEqual(
      cases.map(c => c.name).sort(),
    );
    for (const a of actions) {
      expect(a.attributes).toEqual({
        readOnly: true,
        idempotent: true,
        destructive: false,
      });
      expect(a.schema.input.type).toBe('object');
      expect(a.schema.output.type).toBe('object');
      expect(a.description.length).toBeGreaterThan(200);
    }
  });

  it.each(cases)(
    '$name answers what its route answers',
    async ({ name, input, route }) => {
      const { server } = await start();
      const [method, path] = route;
      const viaRoute =
        method === 'post'
          ? await request(server).post(path).send(input)
          : await request(server).get(path);
      expect(viaRoute.status).toBe(200);
      const viaAction = await request(server).post(invoke(name)).send(input);
      expect(viaAction.status).toBe(200);
      expect(viaAction.body.output).toEqual(viaRoute.body);
    },
  );

  it('answers with data, not an empty shell', async () => {
    const { server } = await start();
    const placement = await request(server)
      .post(invoke('get-entity-placement'))
      .send({ entityRef: 'component:default/web' });
    expect(placement.body.output.clusters[0].podCount).toBeGreaterThan(0);
    const gitops = await request(server)
      .post(invoke('get-entity-gitops'))
      .send({ entityRef: 'component:default/apps-pihole-hetzner' });
    expect(gitops.body.output.clusters[0].objects[0]).toMatchObject({
      kind: 'Kustomization',
      name: 'apps-pihole-hetzner',
    });
  });

  it.each(cases)(
    '$name is refused to a caller denied its route permission, asking only for that one',
    async ({ name, input, permission }) => {
      const { server, asked } = await start([permission]);
      const res = await request(server).post(invoke(name)).send(input);
      expect(res.status).toBe(403);
      expect(res.body.error.name).toBe('NotAllowedError');
      expect(asked).toEqual([permission]);
    },
  );

  it('rejects an entity reference without a kind, naming the field', async () => {
    const { server } = await start();
    const res = await request(server)
      .post(invoke('get-entity-placement'))
      .send({ entityRef: 'web' });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/entityRef/);
  });
});
