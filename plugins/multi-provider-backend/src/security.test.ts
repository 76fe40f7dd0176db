import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { createServiceFactory } from '@backstage/backend-plugin-api';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  multiProviderPlacementReadPermission,
  multiProviderRoutes,
} from '@cloudlab/plugin-multi-provider-common';
import http from 'http';
import { AddressInfo } from 'net';
import request from 'supertest';
import { multiProviderBackend } from './multiProviderBackend';
import {
  InMemoryCluster,
  InMemoryClusterSource,
  InMemoryResource,
} from './shared/InMemoryClusterSource';
import { clusterSourceServiceRef } from '@cloudlab/plugin-multi-provider-node';
import { KubeClusterSource } from './shared/KubeClusterSource';
import { readMultiProviderConfig } from './config';
import { ConfigReader } from '@backstage/config';
import nodes from './__fixtures__/nodes.json';
import pods from './__fixtures__/pods.json';
import { repositoryCloudlabConfig } from './__testUtils__/repositoryConfig';

/** Every route of the plugin, with a valid request each. */
const ROUTES: Array<[string, (s: any) => request.Test]> = [
  ['GET /clusters', s => request(s).get('/api/multi-provider/clusters')],
  [
    'GET /platform/placement',
    s => request(s).get('/api/multi-provider/platform/placement'),
  ],
  [
    'GET /entity/.../placement',
    s =>
      request(s).get(
        '/api/multi-provider/entity/default/component/web/placement',
      ),
  ],
  [
    'POST /platform/failure-domain',
    s =>
      request(s)
        .post('/api/multi-provider/platform/failure-domain')
        .send({ level: 'provider', name: 'hetzner' }),
  ],
];

const entity = (annotations: Record<string, string>, name = 'web') => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name, namespace: 'default', annotations },
  spec: { type: 'service', lifecycle: 'production', owner: 'team-a' },
});

async function waitSynced(server: any) {
  for (let i = 0; i < 200; i++) {
    const res = await request(server).get('/api/multi-provider/clusters');
    if (res.body.clusters?.every((c: any) => c.state === 'synced')) return;
    await new Promise(r => setTimeout(r, 10));
  }
  const last = await request(server).get('/api/multi-provider/clusters');
  throw new Error(`caches did not sync: ${JSON.stringify(last.body)}`);
}

describe('deny by default (security property 5)', () => {
  async function start(result: AuthorizeResult.ALLOW | AuthorizeResult.DENY) {
    const cluster = new InMemoryCluster('lab', {
      nodes: nodes as any,
      pods: pods as any,
    });
    const authorize = jest.fn(async (reqs: any[]) =>
      reqs.map(() => ({ result })),
    );
    const permissions = mockServices.permissions.mock({ authorize });
    const catalog = catalogServiceMock.mock({
      getEntityByRef: jest.fn(async () =>
        entity({ 'backstage.io/kubernetes-id': 'web' }),
      ),
    });
    const { server } = await startTestBackend({
      features: [
        multiProviderBackend,
        mockServices.rootConfig.factory({
          data: { cloudlab: repositoryCloudlabConfig() },
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
    return { server, cluster, authorize, catalog };
  }

  // Every resource the cluster serves: nodes, pods, the storage kinds and custom resources.
  const calls = (c: InMemoryCluster) => {
    const all = [
      c.nodes,
      c.pods,
      ...Object.values(c.storage).filter(
        (r): r is InMemoryResource<any> => r instanceof InMemoryResource,
      ),
      ...c.custom.values(),
    ];
    return {
      lists: all.reduce((n, r) => n + r.listCalls, 0),
      watches: all.reduce((n, r) => n + r.watchCalls, 0),
    };
  };

  // Table-driven from the shared route table, so a route added later is covered by construction.
  it.each(multiProviderRoutes.map(r => [`${r.method} ${r.path}`, r] as const))(
    '%s (route table) answers 403 on DENY after asking for its own permission, touching no cluster',
    async (_name, route) => {
      const { server, cluster, authorize, catalog } = await start(
        AuthorizeResult.DENY,
      );
      await new Promise(r => setTimeout(r, 50));
      const before = calls(cluster);
      const url = `/api/multi-provider${route.path
        .replace(':namespace', 'default')
        .replace(':kind', 'component')
        .replace(':name', 'web')}`;
      const res =
        route.method === 'GET'
          ? await request(server).get(url)
          : await request(server).post(url).send({});
      expect(res.status).toBe(403);
      const asked = authorize.mock.calls.flatMap(([reqs]) =>
        reqs.map((q: { permission: { name: string } }) => q.permission.name),
      );
      expect(asked).toEqual([route.permission]);
      expect(calls(cluster)).toEqual(before);
      expect(catalog.getEntityByRef).not.toHaveBeenCalled();
    },
  );

  it.each(ROUTES)(
    '%s answers 403 on DENY, asks for the read permission, and touches neither cluster nor catalog',
    async (_name, call) => {
      const { server, cluster, authorize, catalog } = await start(
        AuthorizeResult.DENY,
      );
      // The cache's own start-up list + watch happen before any request; count from here.
      await new Promise(r => setTimeout(r, 50));
      const before = calls(cluster);
      const res = await call(server);
      expect(res.status).toBe(403);
      expect(JSON.stringify(res.body)).not.toMatch(/hetzner|scaleway|pihole/);
      expect(authorize).toHaveBeenCalledWith(
        [{ permission: multiProviderPlacementReadPermission }],
        expect.anything(),
      );
      expect(calls(cluster)).toEqual(before);
      expect(catalog.getEntityByRef).not.toHaveBeenCalled();
    },
  );

  it.each(ROUTES)(
    '%s answers 200 on ALLOW from the cache, with no cluster call per request',
    async (_name, call) => {
      const { server, cluster, authorize } = await start(AuthorizeResult.ALLOW);
      await waitSynced(server);
      const before = calls(cluster);
      const res = await call(server);
      expect(res.status).toBe(200);
      expect(authorize).toHaveBeenCalled();
      expect(calls(cluster)).toEqual(before);
    },
  );
});

/** A loopback HTTP server counting requests; as an API server it serves empty node/pod lists. */
async function countingServer(apiServer: boolean) {
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    if (!apiServer) {
      res.writeHead(500).end();
      return;
    }
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.searchParams.get('watch') === 'true') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.flushHeaders();
      return; // held open: no events
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        kind: 'List',
        items: [],
        metadata: { resourceVersion: '1' },
      }),
    );
  });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    seen,
    close: () =>
      new Promise(r => {
        server.closeAllConnections();
        server.close(r);
      }),
  };
}

describe('cluster target pinning (security property 7)', () => {
  let configured: Awaited<ReturnType<typeof countingServer>>;
  let attacker: Awaited<ReturnType<typeof countingServer>>;
  afterEach(async () => {
    await configured?.close();
    await attacker?.close();
  });

  it('no annotation, query parameter, header or body field makes the backend contact an unconfigured URL', async () => {
    configured = await countingServer(true);
    attacker = await countingServer(false);
    const evil = attacker.url;
    const hostile = entity({
      'backstage.io/kubernetes-id': 'web',
      'backstage.io/kubernetes-cluster': evil,
      'kubernetes.io/api-server': evil,
      'backstage.io/kubernetes-api-server': evil,
      'multi-provider/cluster-url': evil,
    });
    const { server } = await startTestBackend({
      features: [
        multiProviderBackend,
        mockServices.rootConfig.factory({
          data: {
            kubernetes: {
              clusterLocatorMethods: [
                {
                  type: 'config',
                  clusters: [
                    {
                      name: 'lab',
                      url: configured.url,
                      serviceAccountToken: 't',
                      // Plain HTTP on loopback needs this with @kubernetes/client-node.
                      skipTLSVerify: true,
                    },
                  ],
                },
              ],
            },
            cloudlab: repositoryCloudlabConfig(),
          },
        }),
        mockServices.permissions.factory({ result: AuthorizeResult.ALLOW }),
        catalogServiceMock.factory({ entities: [hostile] }),
      ],
    });
    await waitSynced(server);
    const q = `cluster=${encodeURIComponent(evil)}&url=${encodeURIComponent(
      evil,
    )}&server=${encodeURIComponent(evil)}`;
    const headers = {
      'x-kubernetes-cluster': evil,
      'x-cluster-url': evil,
      'backstage-kubernetes-cluster': evil,
      'backstage-kubernetes-authorization-serviceaccount': 'stolen',
      host: new URL(evil).host,
      'x-forwarded-host': new URL(evil).host,
    };
    const responses = await Promise.all([
      request(server)
        .get(`/api/multi-provider/entity/default/component/web/placement?${q}`)
        .set(headers),
      request(server)
        .get(`/api/multi-provider/platform/placement?${q}`)
        .set(headers),
      request(server).get(`/api/multi-provider/clusters?${q}`).set(headers),
      request(server)
        .get(`/api/multi-provider/entity/default/component/web/storage?${q}`)
        .set(headers),
      request(server)
        .get(`/api/multi-provider/platform/storage?${q}`)
        .set(headers),
      request(server)
        .post(`/api/multi-provider/platform/failure-domain?${q}`)
        .set(headers)
        .send({ level: 'provider', name: 'hetzner', cluster: evil }),
      request(server).post('/api/multi-provider/platform/failure-domain').send({
        level: 'provider',
        name: 'hetzner',
        cluster: 'lab',
        url: evil,
      }),
    ]);
    expect(responses.map(r => r.status)).toEqual([
      200, 200, 200, 200, 200, 404, 200,
    ]);
    expect(responses[5].body.error.message).toMatch(/Unknown cluster/);
    expect(
      responses[0].body.clusters.map((c: { cluster: string }) => c.cluster),
    ).toEqual(['lab']);
    await new Promise(r => setTimeout(r, 100));
    expect(attacker.seen).toEqual([]);
    // The configured server got only the caches' lists and watches (reads of collections).
    expect(configured.seen.length).toBeGreaterThan(0);
    expect(
      configured.seen.filter(s => !/^GET \/apis?\/[^?]+\?/.test(s)),
    ).toEqual([]);
    expect(configured.seen.some(s => /^GET \/api\/v1\/pods\?/.test(s))).toBe(
      true,
    );
  });

  it('uses no in-cluster identity it was not configured with', () => {
    const saved = { ...process.env };
    process.env.KUBERNETES_SERVICE_HOST = '127.0.0.1';
    process.env.KUBERNETES_SERVICE_PORT = '1';
    try {
      const source = new KubeClusterSource(
        readMultiProviderConfig(
          new ConfigReader({ cloudlab: repositoryCloudlabConfig() }),
          __dirname,
        ),
      );
      expect(source.getClusters()).toEqual([]);
    } finally {
      process.env = saved;
    }
  });
});
