import { AddressInfo } from 'node:net';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import multiProviderPlugin from '@cloudlab/plugin-multi-provider-backend';
import mcpActionsPlugin from '@backstage/plugin-mcp-actions-backend';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { isDeepStrictEqual } from 'node:util';
import {
  describeLab,
  eventually,
  labCloudlabConfig,
  labFixture,
  labKubernetesConfig,
  piholeEntities,
} from './labFixture';

/**
 * Proof that the suite's analyses reach an agent: the real multi-provider backend plugin reading
 * the lab, the real actions registry and actions service, and `@backstage/plugin-mcp-actions-backend`
 * serving them as MCP tools. An MCP client of the official SDK (Streamable HTTP, with a
 * Backstage user token) lists the tools, calls each and gets the object the plugin's HTTP route
 * answers; a user denied the plugin's read permissions is refused by every tool.
 */
jest.setTimeout(300_000);

/**
 * Whether two answers are the same JSON. Not `isDeepStrictEqual` on the objects as received:
 * `fetch` parses the route's body outside jest's sandbox, so its objects have another realm's
 * `Object.prototype` than the MCP client's, and a prototype-checking comparison never holds.
 * Both are re-read here by the sandbox's JSON, where only the values count.
 */
const sameJson = (a: unknown, b: unknown) =>
  isDeepStrictEqual(
    JSON.parse(JSON.stringify(a)),
    JSON.parse(JSON.stringify(b)),
  );

const READER = 'user:default/reader';
/** Denied every permission, as the plugin tests run "a user without the permission". */
const OUTSIDER = 'user:default/outsider';
const ENTITY = 'component:default/pihole-hetzner';
const API = '/api/multi-provider';

/** Each tool, its arguments, and the route that must give the same answer. */
const calls = [
  {
    tool: 'multi-provider.get-entity-placement',
    args: { entityRef: ENTITY },
    route: { path: `${API}/entity/default/component/pihole-hetzner/placement` },
  },
  {
    tool: 'multi-provider.simulate-failure-domain',
    args: { level: 'provider', name: 'hetzner' },
    route: {
      path: `${API}/platform/failure-domain`,
      body: { level: 'provider', name: 'hetzner' },
    },
  },
  {
    tool: 'multi-provider.get-entity-storage',
    args: { entityRef: ENTITY },
    route: { path: `${API}/entity/default/component/pihole-hetzner/storage` },
  },
  {
    tool: 'multi-provider.get-desired-storage',
    args: { cluster: 'lab' },
    route: { path: `${API}/platform/storage/desired?cluster=lab` },
  },
  {
    tool: 'multi-provider.get-entity-gitops',
    args: { entityRef: ENTITY },
    route: { path: `${API}/entity/default/component/pihole-hetzner/gitops` },
  },
];

describeLab('the analyses as MCP tools against the lab', () => {
  let stop: () => Promise<void>;
  let base: string;

  beforeAll(async () => {
    const fx = await labFixture();
    const backend = await startTestBackend({
      features: [
        multiProviderPlugin,
        mcpActionsPlugin,
        mockServices.rootConfig.factory({
          data: {
            backend: { actions: { pluginSources: ['multi-provider'] } },
            kubernetes: labKubernetesConfig(fx),
            cloudlab: labCloudlabConfig(fx.paths),
          },
        }),
        createServiceFactory({
          service: coreServices.permissions,
          deps: {},
          factory: () => {
            const decide = (credentials: any) =>
              credentials?.principal?.userEntityRef === OUTSIDER
                ? AuthorizeResult.DENY
                : AuthorizeResult.ALLOW;
            return {
              authorize: async (reqs: any[], o: any) =>
                reqs.map(() => ({ result: decide(o.credentials) })) as any,
              authorizeConditional: async (reqs: any[], o: any) =>
                reqs.map(() => ({ result: decide(o.credentials) })) as any,
            };
          },
        }),
        catalogServiceMock.factory({
          entities: piholeEntities(fx.paths.root),
        }),
      ],
    });
    stop = () => backend.stop();
    base = `http://127.0.0.1:${(backend.server.address() as AddressInfo).port}`;
    await eventually(
      'the multi-provider caches to sync',
      () => route(READER, { path: `${API}/clusters` }),
      r => r.clusters.every((c: any) => c.state === 'synced'),
      r => JSON.stringify(r),
      120_000,
    );
  });

  afterAll(() => stop?.());

  async function route(user: string, r: { path: string; body?: object }) {
    const res = await fetch(`${base}${r.path}`, {
      method: r.body ? 'POST' : 'GET',
      headers: {
        authorization: mockCredentials.user.header(user),
        ...(r.body ? { 'content-type': 'application/json' } : {}),
      },
      body: r.body ? JSON.stringify(r.body) : undefined,
    });
    if (!res.ok) throw new Error(`${r.path}: HTTP ${res.status}`);
    return res.json();
  }

  async function connect(user: string) {
    const client = new Client({ name: 'cloudlab-lab-test', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${base}/api/mcp-actions/v1`), {
        requestInit: {
          headers: { authorization: mockCredentials.user.header(user) },
        },
      }),
    );
    return client;
  }

  it('lists the analyses as read-only, idempotent tools with input schemas', async () => {
    const client = await connect(READER);
    try {
      const { tools } = await client.listTools();
      expect(tools.map(t => t.name).sort()).toEqual(
        calls.map(c => c.tool).sort(),
      );
      for (const t of tools) {
        expect(t.annotations).toMatchObject({
          readOnlyHint: true,
          idempotentHint: true,
          destructiveHint: false,
        });
        expect(t.inputSchema.type).toBe('object');
      }
    } finally {
      await client.close();
    }
  });

  it.each(calls)(
    '$tool answers what its route answers',
    async ({ tool, args, route: r }) => {
      const client = await connect(READER);
      try {
        // The lab is live: compare a tool answer framed by two equal route answers.
        const seen = await eventually(
          `${tool} and ${r.path} to agree`,
          async () => {
            const before = await route(READER, r);
            const result = await client.callTool({
              name: tool,
              arguments: args,
            });
            const after = await route(READER, r);
            return { before, result, after };
          },
          ({ before, result, after }) =>
            !result.isError &&
            sameJson(before, after) &&
            sameJson(result.structuredContent, before),
          ({ before, result, after }) =>
            `route stable: ${sameJson(before, after)}, tool = route: ${sameJson(
              result.structuredContent,
              before,
            )}; tool: ${JSON.stringify(result).slice(0, 500)}`,
          60_000,
        );
        expect(seen.result.structuredContent).toEqual(seen.before);
        expect(JSON.parse((seen.result.content as any)[0].text)).toEqual(
          seen.before,
        );
      } finally {
        await client.close();
      }
    },
  );

  it('answers from the lab: the entity has pods on hetzner', async () => {
    const client = await connect(READER);
    try {
      const result = await client.callTool({
        name: 'multi-provider.get-entity-placement',
        arguments: { entityRef: ENTITY },
      });
      const answer = result.structuredContent as any;
      expect(answer.entityRef).toBe(ENTITY);
      expect(answer.clusters[0].podCount).toBeGreaterThan(0);
      expect(answer.clusters[0].providers.map((p: any) => p.name)).toEqual([
        'hetzner',
      ]);
    } finally {
      await client.close();
    }
  });

  it('refuses every tool to a user without the permission', async () => {
    const client = await connect(OUTSIDER);
    try {
      for (const { tool, args, route: r } of calls) {
        const result = await client.callTool({ name: tool, arguments: args });
        expect(result.isError).toBe(true);
        expect((result.content as any)[0].text).toMatch(/^NotAllowedError/);
        await expect(route(OUTSIDER, r)).rejects.toThrow(/HTTP 403/);
      }
    } finally {
      await client.close();
    }
  });
});
