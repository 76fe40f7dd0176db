import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { createServiceFactory } from '@backstage/backend-plugin-api';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { multiProviderRoutes } from '@cloudlab/plugin-multi-provider-common';
import request from 'supertest';
import { gitopsRoutes, GitOpsRoutesOptions } from './gitops/gitopsRouter';
import {
  placementRoutes,
  PlacementRoutesOptions,
} from './placement/placementRouter';
import { multiProviderBackend } from './multiProviderBackend';
import {
  InMemoryCluster,
  InMemoryClusterSource,
} from './shared/InMemoryClusterSource';
import { clusterSourceServiceRef } from '@cloudlab/plugin-multi-provider-node';
import { RouteKey } from './shared/tableRouter';
import { storageRoutes, StorageRoutesOptions } from './storage/storageRouter';
import { costRoutes, CostRoutesOptions } from './cost/costRouter';
import nodes from './__fixtures__/nodes.json';
import pods from './__fixtures__/pods.json';
import { repositoryCloudlabConfig } from './__testUtils__/repositoryConfig';

type Layer = { route?: { path: string; methods: Record<string, boolean> } };

function served(router: unknown): string[] {
  return (router as { stack: Layer[] }).stack
    .filter(layer => layer.route)
    .flatMap(({ route }) =>
      Object.keys(route!.methods).map(m => `${m.toUpperCase()} ${route!.path}`),
    );
}

const entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'web',
    namespace: 'default',
    annotations: { 'backstage.io/kubernetes-id': 'web' },
  },
  spec: { type: 'service', lifecycle: 'production', owner: 'team-a' },
};

/**
 * Per route: a valid request and the status it answers with the in-memory cluster below (no
 * Flux objects, so a Flux action finds nothing), and, for routes that read a query or a body, a
 * request the route's schema refuses and the field the 400 must name. Keyed by the table's
 * routes, so a route added to the table does not compile here until it is covered.
 */
const CASES: Record<
  RouteKey,
  {
    valid: { query?: string; body?: object; status: number };
    invalid?: { query?: string; body?: object; field: string };
  }
> = {
  'GET /entity/:namespace/:kind/:name/placement': { valid: { status: 200 } },
  'GET /platform/placement': { valid: { status: 200 } },
  'POST /platform/failure-domain': {
    valid: { body: { level: 'provider', name: 'hetzner' }, status: 200 },
    invalid: { body: { level: 'planet', name: 'x' }, field: 'level' },
  },
  'POST /platform/failure-domain/advice': {
    valid: {
      body: { level: 'provider', name: 'hetzner', services: ['shop/web'] },
      status: 200,
    },
    invalid: {
      body: { level: 'provider', name: 'hetzner', services: [''] },
      field: 'services',
    },
  },
  'GET /clusters': { valid: { status: 200 } },
  'GET /entity/:namespace/:kind/:name/cost': { valid: { status: 200 } },
  'GET /platform/cost': { valid: { status: 200 } },
  'POST /cost/estimate': {
    valid: {
      body: { providers: ['hetzner'], storageSize: '10Gi' },
      status: 200,
    },
    invalid: {
      body: { providers: ['hetzner'], storageSize: '1.5Gi' },
      field: 'storageSize',
    },
  },
  'GET /entity/:namespace/:kind/:name/storage': { valid: { status: 200 } },
  'GET /platform/storage': { valid: { status: 200 } },
  'GET /platform/storage/desired': {
    valid: { query: 'cluster=no-such-cluster', status: 404 },
    invalid: { query: 'cluster=../x', field: 'cluster' },
  },
  'GET /entity/:namespace/:kind/:name/gitops': { valid: { status: 200 } },
  'GET /entity/:namespace/:kind/:name/secrets': { valid: { status: 200 } },
  'GET /platform/gitops': {
    valid: { query: 'state=failing', status: 200 },
    invalid: { query: 'state=on-fire', field: 'state' },
  },
  'POST /gitops/action': {
    valid: {
      body: {
        cluster: 'lab',
        kind: 'Kustomization',
        namespace: 'flux-system',
        name: 'apps',
        action: 'reconcile',
      },
      status: 404,
    },
    invalid: {
      body: { cluster: 'lab', kind: 'Kustomization', namespace: 'x' },
      field: 'name',
    },
  },
};

async function start() {
  const allow: AuthorizeResult.ALLOW = AuthorizeResult.ALLOW;
  const authorize = jest.fn(async (reqs: unknown[]) =>
    reqs.map(() => ({ result: allow })),
  );
  const permissions = mockServices.permissions.mock({ authorize });
  const catalog = catalogServiceMock.mock({
    getEntityByRef: jest.fn(async () => entity),
  });
  const cluster = new InMemoryCluster('lab', {
    nodes: nodes as any,
    pods: pods as any,
  });
  const { server } = await startTestBackend({
    features: [
      multiProviderBackend,
      mockServices.rootConfig.factory({
        data: {
          cloudlab: repositoryCloudlabConfig(),
        },
      }),
      permissions.factory,
      catalog.factory,
      createServiceFactory({
        service: clusterSourceServiceRef,
        deps: {},
        factory: () => new InMemoryClusterSource([cluster]),
      }),
    ],
  });
  // No wait for the first sync: any request would leave its permission decision in the
  // short-lived cache, and every route answers (per-cluster state) while syncing too.
  return { server, authorize, catalog };
}

function send(
  server: any,
  route: (typeof multiProviderRoutes)[number],
  input: { query?: string; body?: object },
) {
  const url = `/api/multi-provider${route.path
    .replace(':namespace', 'default')
    .replace(':kind', 'component')
    .replace(':name', 'web')}${input.query ? `?${input.query}` : ''}`;
  return route.method === 'GET'
    ? request(server).get(url)
    : request(server)
        .post(url)
        .send(input.body ?? {});
}

// The routers register from `multiProviderRoutes`, and the API reference is generated from it;
// these check that what the plugin serves is what the table says, column by column.
describe('the route table in -common', () => {
  it('lists exactly the routes the placement, storage, cost and GitOps routers serve', () => {
    const all = [
      ...served(placementRoutes({} as PlacementRoutesOptions)),
      ...served(storageRoutes({} as StorageRoutesOptions)),
      ...served(gitopsRoutes({} as GitOpsRoutesOptions)),
      ...served(costRoutes({} as CostRoutesOptions)),
    ];
    const documented = multiProviderRoutes.map(r => `${r.method} ${r.path}`);
    expect(all.sort()).toEqual(documented.sort());
  });

  it.each(multiProviderRoutes.map(r => [`${r.method} ${r.path}`, r] as const))(
    '%s asks for its permission, reads its path, and answers with its response schema',
    async (key, route) => {
      // A backend of its own: the short-lived caller caches would otherwise answer the
      // permission and the entity from an earlier route's request.
      const { server, authorize, catalog } = await start();
      const { valid } = CASES[key as RouteKey];
      const res = await send(server, route, valid);
      expect(res.status).toBe(valid.status);
      const asked = authorize.mock.calls.flatMap(([reqs]) =>
        (reqs as Array<{ permission: { name: string } }>).map(
          q => q.permission.name,
        ),
      );
      expect(asked).toEqual([route.permission]);
      // Path parameters reach the service as the entity reference; other routes read no entity.
      expect(catalog.getEntityByRef.mock.calls.map(([ref]) => ref)).toEqual(
        'params' in route
          ? [{ kind: 'component', namespace: 'default', name: 'web' }]
          : [],
      );
      const schemaError =
        res.status === 200
          ? route.response.safeParse(res.body).error
          : undefined;
      expect(schemaError).toBeUndefined();
    },
  );

  it.each(
    multiProviderRoutes
      .filter(r => 'query' in r || 'body' in r)
      .map(r => [`${r.method} ${r.path}`, r] as const),
  )(
    '%s refuses input its schema refuses, naming the field',
    async (key, route) => {
      const { invalid } = CASES[key as RouteKey];
      expect(invalid).toBeDefined();
      const { server } = await start();
      const res = await send(server, route, invalid!);
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(
        new RegExp(
          `^Invalid ${'query' in route ? 'query' : 'request body'}: ${
            invalid!.field
          }`,
        ),
      );
    },
  );
});
