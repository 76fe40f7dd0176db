import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import type { BackendFeature } from '@backstage/backend-plugin-api';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import type { Entity } from '@backstage/catalog-model';
import type { Server } from 'node:http';
import request from 'supertest';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import { scaffolderModuleGitops } from '../module';
import path from 'node:path';
import { CRD_PATH, REPO_ROOT, validatorPathOrStandIn } from './workspace';

/** A config subtree, as `mockServices.rootConfig` takes it. */
type ConfigData = NonNullable<
  Parameters<typeof mockServices.rootConfig.factory>[0]
>['data'];

/**
 * The real scaffolder backend with this module, the catalog holding `entities`, the Go
 * validator (see `validatorPathOrStandIn`). It publishes locally to `localRepository` unless
 * `gitops` says otherwise (merged over `cloudlab.gitops`); `integrations` and `features` (for
 * example a publish module) are passed through. Returns the HTTP server to send requests to.
 */
export async function startScaffolder(opts: {
  localRepository?: string;
  entities?: Entity[];
  gitops?: ConfigData;
  integrations?: ConfigData;
  features?: BackendFeature[];
}): Promise<Server> {
  const backend = await startTestBackend({
    features: [
      scaffolderPlugin,
      scaffolderModuleGitops,
      ...(opts.features ?? []),
      catalogServiceMock.factory({ entities: opts.entities ?? [] }),
      mockServices.rootConfig.factory({
        data: {
          backend: { baseUrl: 'http://localhost:7007' },
          ...(opts.integrations && { integrations: opts.integrations }),
          cloudlab: {
            gitopsTree: { local: { path: REPO_ROOT }, fluxPath: 'gitops' },
            providers: { directory: path.join(REPO_ROOT, 'providers') },
            gitops: {
              publish: 'local',
              localRepository: opts.localRepository,
              validatorPath: validatorPathOrStandIn(),
              crdPath: CRD_PATH,
              ...opts.gitops,
            },
          },
        },
      }),
    ],
  });
  return backend.server;
}

/** How a scaffolder task ended: its status, its rendered output and its log messages. */
export interface TaskResult {
  status: string;
  output: Record<string, any>;
  messages: string[];
}

/**
 * Creates a task from the catalog's `templateRef` through the scaffolder API and waits for it
 * to end (at most `timeoutMs`). A 400 (the form values fail the template's schema) throws.
 */
export async function runTask(
  server: Server,
  templateRef: string,
  values: Record<string, unknown>,
  opts: { secrets?: Record<string, string>; timeoutMs?: number } = {},
): Promise<TaskResult> {
  const created = await request(server)
    .post('/api/scaffolder/v2/tasks')
    .send({ templateRef, values, secrets: opts.secrets });
  if (created.status !== 201)
    throw new Error(`task not created: ${created.status} ${created.text}`);
  const id = created.body.id as string;
  const deadline = Date.now() + (opts.timeoutMs ?? 120_000);
  let status = '';
  while (Date.now() < deadline) {
    status = (await request(server).get(`/api/scaffolder/v2/tasks/${id}`)).body
      .status;
    if (['completed', 'failed', 'cancelled'].includes(status)) break;
    await new Promise(r => setTimeout(r, 100));
  }
  const events = (
    await request(server).get(`/api/scaffolder/v2/tasks/${id}/events`)
  ).body as {
    type: string;
    body: { message?: string; error?: { message?: string }; output?: any };
  }[];
  return {
    status,
    output: events.find(e => e.type === 'completion')?.body.output ?? {},
    messages: events.flatMap(e =>
      [e.body.error?.message, e.body.message].filter(
        (m): m is string => typeof m === 'string',
      ),
    ),
  };
}
