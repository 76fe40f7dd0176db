import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
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
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import {
  loadTemplateExamples,
  scaffolderModuleGitops,
  stopValidatorServers,
} from '@cloudlab/plugin-scaffolder-backend-module-gitops';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { isDeepStrictEqual } from 'node:util';
import {
  describeLab,
  eventually,
  gitopsScaffolderConfig,
  labFixture,
  labKubernetesConfig,
  piholeEntities,
  scratchRepository,
  templateEntity,
} from './labFixture';

/**
 * Proof that the suite's analyses reach an agent: the real multi-provider backend plugin reading
 * the lab, the real scaffolder backend with the GitOps module, the real actions registry and
 * actions service, and `@backstage/plugin-mcp-actions-backend` serving them as MCP tools. An MCP
 * client of the official SDK (Streamable HTTP, with a Backstage user token) lists the tools,
 * calls each and gets the answer the HTTP route gives (the template dry run: the scaffolder's
 * own dry-run route's verdict, nothing committed to the local repository); a user denied the
 * permissions is refused by every tool.
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
const VALIDATE_CHANGE = 'scaffolder.validate-gitops-change';
const TEMPLATE = 'provider-workload';
/** The template's example form values (templates/provider-workload/example-values.yaml). */
const workload = loadTemplateExamples(
  path.join(__dirname, '../../../../templates'),
)[TEMPLATE];

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
  let template: any;
  /** The local repository the template's dry run checks out (a scratch copy of this checkout). */
  let bare: string;

  beforeAll(async () => {
    const fx = await labFixture();
    template = templateEntity(fx, TEMPLATE);
    bare = path.join(
      fs.mkdtempSync(path.join(os.tmpdir(), 'cloudlab-mcp-')),
      'lab.git',
    );
    scratchRepository(fx, bare);
    const scaffolderConfig = gitopsScaffolderConfig(fx, bare);
    const backend = await startTestBackend({
      features: [
        multiProviderPlugin,
        scaffolderPlugin,
        scaffolderModuleGitops,
        mcpActionsPlugin,
        mockServices.rootConfig.factory({
          data: {
            ...scaffolderConfig,
            backend: {
              ...scaffolderConfig.backend,
              // As app-config.yaml: the scaffolder's own actions (execute-template) stay out.
              actions: {
                pluginSources: ['multi-provider', 'scaffolder'],
                filter: {
                  include: [
                    { id: 'multi-provider:*' },
                    { id: 'scaffolder:validate-gitops-change' },
                  ],
                },
              },
            },
            kubernetes: labKubernetesConfig(fx),
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
          entities: [...piholeEntities(fx.paths.root), template],
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

  afterAll(async () => {
    await stop?.();
    stopValidatorServers();
    if (bare) fs.rmSync(path.dirname(bare), { recursive: true, force: true });
  });

  /** The scaffolder's dry-run route: its status and body. */
  async function dryRunRoute(user: string, values: object) {
    const res = await fetch(`${base}/api/scaffolder/v2/dry-run`, {
      method: 'POST',
      headers: {
        authorization: mockCredentials.user.header(user),
        'content-type': 'application/json',
      },
      body: JSON.stringify({ template, values, directoryContents: [] }),
    });
    return { status: res.status, body: JSON.parse(await res.text()) };
  }

  const refsOf = (repository: string) =>
    execFileSync('git', ['--git-dir', repository, 'show-ref'], {
      encoding: 'utf8',
    });

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
        [...calls.map(c => c.tool), VALIDATE_CHANGE].sort(),
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

  /** The tool's and the dry-run route's answers for `values`, and the repository before and after. */
  async function validateChange(values: object) {
    const client = await connect(READER);
    try {
      const before = refsOf(bare);
      const viaRoute = await dryRunRoute(READER, values);
      const result = await client.callTool({
        name: VALIDATE_CHANGE,
        arguments: { template: TEMPLATE, values },
      });
      return { viaRoute, result, before, after: refsOf(bare) };
    } finally {
      await client.close();
    }
  }

  it(`${VALIDATE_CHANGE} answers valid where the dry-run route succeeds, committing nothing`, async () => {
    const { viaRoute, result, before, after } = await validateChange(workload);
    expect(viaRoute.status).toBe(200);
    expect(result.isError).toBeFalsy();
    const answer = result.structuredContent as any;
    expect(answer).toMatchObject({
      template: `template:default/${TEMPLATE}`,
      valid: true,
      findings: [],
    });
    // The route's log, line by line, is the tool's log.
    expect(answer.log.length).toBe(viaRoute.body.log.length);
    expect(answer.log).toContainEqual(
      expect.stringMatching(/^validate: info: gitops tree validates/),
    );
    // A dry run: the local repository the template publishes to is unchanged.
    expect(after).toBe(before);
  });

  it(`${VALIDATE_CHANGE} answers not valid, with the route's error, where a step refuses the change`, async () => {
    const { viaRoute, result, before, after } = await validateChange({
      ...workload,
      providers: ['nosuchcloud'],
    });
    expect(viaRoute.status).toBe(400);
    expect(result.isError).toBeFalsy();
    const answer = result.structuredContent as any;
    expect(answer).toMatchObject({ valid: false, findings: [] });
    expect(answer.error).toBe(viaRoute.body.error.message);
    expect(answer.error).toMatch(/nosuchcloud/);
    expect(after).toBe(before);
  });

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
      const refused = await client.callTool({
        name: VALIDATE_CHANGE,
        arguments: { template: TEMPLATE, values: workload },
      });
      expect(refused.isError).toBe(true);
      expect((refused.content as any)[0].text).toMatch(/^NotAllowedError/);
      expect((await dryRunRoute(OUTSIDER, workload)).status).toBe(403);
    } finally {
      await client.close();
    }
  });
});
