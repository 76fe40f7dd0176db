import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { createServiceFactory } from '@backstage/backend-plugin-api';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  clusterStatusResponseSchema,
  entityPlacementResponseSchema,
  failureDomainAdviceResponseSchema,
  failureDomainResponseSchema,
  platformPlacementResponseSchema,
} from '@cloudlab/plugin-multi-provider-common';
import path from 'path';
import request from 'supertest';
import { multiProviderBackend } from './multiProviderBackend';
import {
  InMemoryCluster,
  InMemoryClusterSource,
} from './shared/InMemoryClusterSource';
import {
  clusterSourceServiceRef,
  gitopsTreeServiceRef,
  LocalTreeSource,
  TreeSource,
} from '@cloudlab/plugin-multi-provider-node';
import fs from 'node:fs';
import os from 'node:os';
import nodes from './__fixtures__/nodes.json';
import pods from './__fixtures__/pods.json';
import { parse } from 'yaml';
import {
  REPO_ROOT,
  repositoryCloudlabConfig,
} from './__testUtils__/repositoryConfig';

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
const bare = {
  ...entity,
  metadata: { name: 'bare', namespace: 'default' },
};

async function start(
  options: {
    permission?: AuthorizeResult.ALLOW | AuthorizeResult.DENY;
    clusters?: InMemoryCluster[];
    treeSource?: TreeSource;
  } = {},
) {
  const clusters = options.clusters ?? [
    new InMemoryCluster('lab', { nodes: nodes as any, pods: pods as any }),
  ];
  const { server } = await startTestBackend({
    features: [
      multiProviderBackend,
      mockServices.rootConfig.factory({
        data: { cloudlab: repositoryCloudlabConfig() },
      }),
      mockServices.permissions.factory({
        result: options.permission ?? AuthorizeResult.ALLOW,
      }),
      catalogServiceMock.factory({ entities: [entity, bare] }),
      createServiceFactory({
        service: clusterSourceServiceRef,
        deps: {},
        factory: () => new InMemoryClusterSource(clusters),
      }),
      ...(options.treeSource
        ? [
            createServiceFactory({
              service: gitopsTreeServiceRef,
              deps: {},
              factory: () => ({
                description: 'the test tree',
                current: async () => ({
                  source: options.treeSource!,
                  origin: {
                    kind: 'local' as const,
                    location: 'test',
                    revision: 'working-copy',
                  },
                }),
                subscribe: () => () => {},
              }),
            }),
          ]
        : []),
    ],
  });
  // Wait until the in-memory clusters' caches have listed.
  for (let i = 0; i < 100; i++) {
    const res = await request(server).get('/api/multi-provider/clusters');
    if (
      res.status !== 200 ||
      res.body.clusters.every((c: any) => c.state !== 'syncing')
    ) {
      break;
    }
    await new Promise(r => setTimeout(r, 10));
  }
  return server;
}

describe('multiProviderPlugin', () => {
  it('answers every route with payloads the shared schemas accept', async () => {
    const server = await start();

    const clusters = await request(server).get('/api/multi-provider/clusters');
    expect(clusters.status).toBe(200);
    expect(clusterStatusResponseSchema.parse(clusters.body).clusters).toEqual([
      expect.objectContaining({
        name: 'lab',
        state: 'synced',
        nodes: 7,
        pods: 13,
      }),
    ]);

    const entityRes = await request(server).get(
      '/api/multi-provider/entity/default/component/web/placement',
    );
    expect(entityRes.status).toBe(200);
    const placement = entityPlacementResponseSchema.parse(entityRes.body);
    expect(placement.entityRef).toBe('component:default/web');
    expect(placement.clusters[0].podCount).toBe(5);
    expect(placement.clusters[0].providers.map(p => p.name)).toEqual([
      'hetzner',
      'scaleway',
    ]);

    const platform = await request(server).get(
      '/api/multi-provider/platform/placement',
    );
    expect(platform.status).toBe(200);
    expect(
      platformPlacementResponseSchema.parse(platform.body).clusters[0]
        .nonEuNodes,
    ).toEqual(['hz-ash-a']);

    const fd = await request(server)
      .post('/api/multi-provider/platform/failure-domain')
      .send({ level: 'provider', name: 'hetzner' });
    expect(fd.status).toBe(200);
    const verdicts = failureDomainResponseSchema.parse(fd.body).clusters[0]
      .services;
    expect(verdicts.find(v => v.id === 'dns/pihole')).toMatchObject({
      verdict: 'degraded',
      redundantPerProvider: true,
    });

    // The advice answers for the same services the verdicts say do not survive.
    const advice = await request(server)
      .post('/api/multi-provider/platform/failure-domain/advice')
      .send({ level: 'provider', name: 'hetzner' });
    expect(advice.status).toBe(200);
    const advised = failureDomainAdviceResponseSchema.parse(advice.body)
      .clusters[0].services;
    expect(advised.map(a => a.id).sort()).toEqual(
      verdicts
        .filter(v => v.verdict !== 'survives')
        .map(v => v.id)
        .sort(),
    );
    expect(advised.find(a => a.id === 'dns/pihole')?.note).toMatch(
      /already one instance per provider/,
    );
  });

  it('reads the desired state through the GitOps tree the app installs', async () => {
    const empty = new LocalTreeSource(
      fs.mkdtempSync(path.join(os.tmpdir(), 'no-tree-')),
    );
    const asked: string[] = [];
    const treeSource: TreeSource = {
      description: 'recording',
      localRoot: empty.localRoot,
      stat: p => {
        asked.push(p);
        return empty.stat(p);
      },
      list: p => {
        asked.push(p);
        return empty.list(p);
      },
      readText: p => {
        asked.push(p);
        return empty.readText(p);
      },
    };
    const server = await start({ treeSource });
    const res = await request(server).get(
      '/api/multi-provider/platform/storage/desired',
    );
    expect(res.status).toBe(404);
    expect(res.body.error.message).toMatch(/No cluster tree lab/);
    expect(asked).toContain('gitops/clusters');
  });

  it('rejects bad input with 400 naming the field', async () => {
    const server = await start();
    const res = await request(server)
      .post('/api/multi-provider/platform/failure-domain')
      .send({ level: 'continent', name: 'europe' });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/level/);
    const noName = await request(server)
      .post('/api/multi-provider/platform/failure-domain')
      .send({ level: 'zone' });
    expect(noName.status).toBe(400);
    expect(noName.body.error.message).toMatch(/name/);
    const bareRes = await request(server).get(
      '/api/multi-provider/entity/default/component/bare/placement',
    );
    expect(bareRes.status).toBe(400);
    const missing = await request(server).get(
      '/api/multi-provider/entity/default/component/nope/placement',
    );
    expect(missing.status).toBe(404);
  });

  it('answers 403 from every route to a user denied the permission', async () => {
    const server = await start({ permission: AuthorizeResult.DENY });
    const responses = await Promise.all([
      request(server).get('/api/multi-provider/clusters'),
      request(server).get('/api/multi-provider/platform/placement'),
      request(server).get(
        '/api/multi-provider/entity/default/component/web/placement',
      ),
      request(server)
        .post('/api/multi-provider/platform/failure-domain')
        .send({ level: 'provider', name: 'hetzner' }),
      // Even invalid input is refused before it is parsed.
      request(server)
        .post('/api/multi-provider/platform/failure-domain')
        .send({}),
    ]);
    expect(responses.map(r => r.status)).toEqual([403, 403, 403, 403, 403]);
  });

  it('reports an unreachable cluster per cluster while the others answer', async () => {
    const down = new InMemoryCluster('far-away');
    down.setDown(new Error('connect ECONNREFUSED 10.0.0.1:6443'));
    const server = await start({
      clusters: [
        new InMemoryCluster('lab', { nodes: nodes as any, pods: pods as any }),
        down,
      ],
    });
    const platform = await request(server).get(
      '/api/multi-provider/platform/placement',
    );
    expect(platform.status).toBe(200);
    const [lab, far] = platformPlacementResponseSchema.parse(
      platform.body,
    ).clusters;
    expect(lab).toMatchObject({ cluster: 'lab', state: 'synced' });
    expect(lab.providers.length).toBeGreaterThan(0);
    expect(far).toMatchObject({
      cluster: 'far-away',
      state: 'error',
      error: expect.stringMatching(/ECONNREFUSED/),
      providers: [],
    });
  });
});

describe('multiProviderBackend start with the shared layout misconfigured', () => {
  const startWith = (cloudlab: object, extra: object = {}) =>
    startTestBackend({
      features: [
        multiProviderBackend,
        mockServices.rootConfig.factory({ data: { cloudlab, ...extra } }),
        mockServices.permissions.factory({ result: AuthorizeResult.ALLOW }),
        catalogServiceMock.factory({ entities: [] }),
        createServiceFactory({
          service: clusterSourceServiceRef,
          deps: {},
          factory: () =>
            new InMemoryClusterSource([
              new InMemoryCluster('lab', {
                nodes: nodes as any,
                pods: pods as any,
              }),
            ]),
        }),
      ],
    });

  it('fails naming the tree source when none is set', async () => {
    const { gitopsTree, ...rest } = repositoryCloudlabConfig();
    await expect(
      startWith({ ...rest, gitopsTree: { ...gitopsTree, local: undefined } }),
    ).rejects.toThrow(
      'cloudlab.gitopsTree: set exactly one of local, url, flux',
    );
  });

  it('fails naming the registry key when neither form is set', async () => {
    const { gitopsTree } = repositoryCloudlabConfig();
    await expect(startWith({ gitopsTree })).rejects.toThrow(
      'cloudlab.providers: set either directory or entries',
    );
  });

  it('fails naming the old and the new key when a replaced key is set', async () => {
    await expect(
      startWith(repositoryCloudlabConfig(), {
        multiProvider: { registryDir: '../../providers' },
      }),
    ).rejects.toThrow(
      'multiProvider.registryDir: was replaced by cloudlab.providers.directory',
    );
  });

  it('starts with the registry given inline', async () => {
    const { gitopsTree } = repositoryCloudlabConfig();
    const hetzner = parse(
      fs.readFileSync(
        path.join(REPO_ROOT, 'providers', 'hetzner.yaml'),
        'utf8',
      ),
    );
    const backend = await startWith({
      gitopsTree,
      providers: { entries: [hetzner] },
    });
    const res = await request(backend.server).get(
      '/api/multi-provider/platform/placement',
    );
    await backend.stop();
    expect(res.status).toBe(200);
    expect(
      platformPlacementResponseSchema
        .parse(res.body)
        .clusters.flatMap(c => c.providers)
        .filter(p => p.known)
        .map(p => p.name),
    ).toEqual(['hetzner']);
  });
});
