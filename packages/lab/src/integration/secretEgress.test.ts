import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { format } from 'node:util';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import multiProviderPlugin from '@cloudlab/plugin-multi-provider-backend';
import {
  scaffolderModuleGitops,
  stopValidatorServers,
} from '@cloudlab/plugin-scaffolder-backend-module-gitops';
import request from 'supertest';
import { gitopsPaths } from '../gitops/loop/components';
import { labVault } from '../gitops/loop/loop';
import {
  describeGitops,
  eventually,
  gitopsScaffolderConfig,
  labFixture,
  LabFixture,
  labKubernetesConfig,
  piholeEntities,
  requireGitopsLoop,
  scratchRepository,
  templateEntity,
} from './labFixture';
import {
  describeHits,
  searchSecrets,
  SeededSecret,
  Source,
} from './secretSearch';

/**
 * Security property 3 (no secret egress, docs/security.md), against the lab's GitOps loop: unique values are
 * seeded in Vault (beside the values the lab seeds) and passed as the scaffolder task's
 * `secrets` (the vault-secret template's `gitToken`, a `ui:field: Secret`), then the real
 * scaffolder (dry run, task, failing task) and the GitOps/Secrets routes of the multi-provider
 * backend run in one backend. Every seeded value, raw and encoded (secretSearch.ts), is then
 * searched for in: the backend's log (every console and stdout/stderr write, debug level,
 * written to .cache/lab/logs/secret-egress-backend.log), the task events and task records, the
 * action outputs, the dry-run results, the error responses, every API response, and the Git
 * repository the tasks committed to (refs, `git log -p --all`, every object). Hits are reported
 * by location and hash only. Gated like the other GitOps proofs (scripts/lab-test.sh --gitops).
 */

jest.setTimeout(900_000);

const suffix = Date.now().toString(36).slice(-5);
// The test's own output goes around the capture of the backend's console.
const print = console.log.bind(console);
const unique = () => `egress-${randomBytes(18).toString('base64url')}`;

describeGitops('no secret egress (security property 3)', () => {
  let fx: LabFixture;
  let server: any;
  let stop: (() => Promise<void>) | undefined;
  let bare: string;
  let logFile: string;
  const log: string[] = [];
  const sources: Source[] = [];
  const secrets: SeededSecret[] = [];
  const restore: (() => void)[] = [];

  /** Every API call of the test goes through here, so every response is searched. */
  async function call(
    method: 'get' | 'post',
    url: string,
    body?: unknown,
  ): Promise<request.Response> {
    const req = request(server)[method](url);
    const res = await (body === undefined ? req : req.send(body as object));
    sources.push({
      location: `response ${method.toUpperCase()} ${url} (HTTP ${res.status})`,
      text: `${JSON.stringify(res.headers)}\n${res.text}`,
    });
    return res;
  }

  /** Captures everything the backend writes (its loggers write to the console). */
  function captureLogs() {
    for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) {
      const original = console[level];
      console[level] = (...args: unknown[]) => {
        log.push(
          `${level} ${format(...args)} ${JSON.stringify(args, (_, v) =>
            v instanceof Error ? { message: v.message, stack: v.stack } : v,
          )}`,
        );
      };
      restore.push(() => {
        console[level] = original;
      });
    }
    for (const stream of [process.stdout, process.stderr]) {
      const original = stream.write.bind(stream);
      (stream as any).write = (chunk: any, ...rest: any[]) => {
        log.push(String(chunk));
        return original(chunk, ...rest);
      };
      restore.push(() => {
        (stream as any).write = original;
      });
    }
  }

  async function runTask(name: string, values: object, taskSecrets: object) {
    const created = await call('post', '/api/scaffolder/v2/tasks', {
      templateRef: `template:default/${name}`,
      values,
      secrets: taskSecrets,
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const task = await eventually(
      `task ${name} finished`,
      async () => (await call('get', `/api/scaffolder/v2/tasks/${id}`)).body,
      t => ['completed', 'failed', 'cancelled'].includes(t.status),
      t => t.status,
      300_000,
    );
    const events = (await call('get', `/api/scaffolder/v2/tasks/${id}/events`))
      .body as any[];
    return { id, task, events };
  }

  beforeAll(async () => {
    fx = await labFixture();
    await requireGitopsLoop();
    // The values the lab seeded in Vault, and new unique ones.
    const vault = labVault(fx.paths);
    for (const provider of fx.providers.map(p => p.name)) {
      const r = await vault.request(
        'GET',
        `kv/data/apps/pihole/${provider}/admin`,
      );
      if (r.status === 200)
        for (const [k, v] of Object.entries<string>(r.json.data.data))
          secrets.push({
            label: `vault pihole/${provider}/admin ${k}`,
            value: v,
          });
      const value = unique();
      await vault.kvPut('kv', `apps/pihole/${provider}/egress-proof`, {
        password: value,
      });
      secrets.push({ label: `vault pihole/${provider}/egress-proof`, value });
    }
    if (secrets.length < 4)
      throw new Error(
        `expected at least 4 Vault values, seeded ${secrets.length}`,
      );

    bare = path.join(gitopsPaths(fx.paths).gitRoot, `egress-${suffix}.git`);
    scratchRepository(fx, bare);
    const templates = [templateEntity(fx, 'vault-secret')];
    logFile = path.join(
      path.dirname(fx.paths.auditLog),
      'secret-egress-backend.log',
    );
    captureLogs();
    const backend = await startTestBackend({
      features: [
        scaffolderPlugin,
        scaffolderModuleGitops,
        multiProviderPlugin,
        mockServices.rootLogger.factory({ level: 'debug' }),
        mockServices.permissions.factory({ result: AuthorizeResult.ALLOW }),
        catalogServiceMock.factory({
          entities: [...templates, ...piholeEntities(fx.paths.root)],
        }),
        mockServices.rootConfig.factory({
          data: {
            ...gitopsScaffolderConfig(fx, bare),
            kubernetes: labKubernetesConfig(fx),
          },
        }),
      ],
    });
    server = backend.server;
    stop = () => backend.stop();
  });

  afterAll(async () => {
    for (const r of restore.reverse()) r();
    await stop?.();
    stopValidatorServers();
    if (bare) fs.rmSync(bare, { recursive: true, force: true });
    if (fx) {
      const vault = labVault(fx.paths);
      for (const provider of fx.providers.map(p => p.name))
        await vault
          .request('DELETE', `kv/metadata/apps/pihole/${provider}/egress-proof`)
          .catch(() => undefined);
    }
  });

  it('leaks no seeded value into logs, task events, outputs, dry runs, errors, API responses or Git', async () => {
    const token = unique();
    secrets.push({ label: 'task secret gitToken', value: token });
    const taskSecrets = { gitToken: token };
    const values = {
      workload: 'pihole',
      secretName: `egress-${suffix}`,
      refreshAfter: '1h',
      // What the Secret field puts in the parameters: stars, never the value.
      gitToken: '*'.repeat(token.length),
    };

    // Dry run with the secret.
    const dry = await call('post', '/api/scaffolder/v2/dry-run', {
      template: templateEntity(fx, 'vault-secret'),
      values,
      secrets: taskSecrets,
      directoryContents: [],
    });
    expect(dry.status).toBe(200);

    // A real task: one commit on the lab repository.
    const ok = await runTask('vault-secret', values, taskSecrets);
    expect(ok.task.status).toBe('completed');
    const output = ok.events.find(e => e.type === 'completion')?.body?.output;
    expect(output?.links?.[0]?.url).toBe(`file://${bare}`);

    // A failing task with the secret present (no such workload), and a refused request.
    const failed = await runTask(
      'vault-secret',
      { ...values, workload: `missing-${suffix}` },
      taskSecrets,
    );
    expect(failed.task.status).toBe('failed');
    const refused = await call('post', '/api/scaffolder/v2/tasks', {
      templateRef: 'template:default/vault-secret',
      values: { ...values, secretName: 'Not A Label!' },
      secrets: taskSecrets,
    });
    expect(refused.status).toBeGreaterThanOrEqual(400);

    // The GitOps and Secrets views, which read the VSO-synced Secrets' metadata.
    await call('get', '/api/multi-provider/platform/gitops');
    await call(
      'get',
      '/api/multi-provider/entity/default/component/pihole-hetzner/secrets',
    );
    await call(
      'get',
      '/api/multi-provider/entity/default/component/pihole-hetzner/gitops',
    );

    // Positive controls: the sources hold what they should (the search looks at real data).
    const committed = execFileSync(
      'git',
      ['--git-dir', bare, 'log', '-p', '--all'],
      { encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 },
    );
    expect(committed).toContain(`egress-${suffix}`);
    expect(log.join('\n')).toMatch(/scaffolder|task/i);
    expect(
      ok.events.some(e => /gitops tree validates/.test(e.body?.message ?? '')),
    ).toBe(true);

    // The backend's log, written where the lab keeps its logs.
    fs.mkdirSync(path.dirname(logFile), { recursive: true });
    fs.writeFileSync(logFile, log.join('\n'), { mode: 0o600 });
    sources.push({
      location: `backend log ${logFile}`,
      text: fs.readFileSync(logFile),
    });
    // The Git repository: refs, history with patches, and every object (reachable or not).
    const git = (...args: string[]) =>
      execFileSync('git', ['--git-dir', bare, ...args], {
        maxBuffer: 1024 * 1024 * 1024,
      });
    sources.push({ location: 'git for-each-ref', text: git('for-each-ref') });
    sources.push({ location: 'git log -p --all', text: committed });
    sources.push({
      location: 'git cat-file --batch-all-objects',
      text: git('cat-file', '--batch-all-objects', '--batch'),
    });
    sources.push({
      location: 'git config and hooks',
      text: fs.readFileSync(path.join(bare, 'config')),
    });

    // Positive control: a value that is meant to travel (the secret's name) is found in Git, the
    // task events and the backend's log, so the search reads real data.
    const control = searchSecrets(
      [{ label: 'control', value: `egress-${suffix}` }],
      sources,
    ).map(h => h.location.split(' ')[0]);
    expect([...new Set(control)]).toEqual(
      expect.arrayContaining(['git', 'response', 'backend']),
    );

    const hits = searchSecrets(secrets, sources);
    print(
      `secret egress: ${secrets.length} seeded values x ${
        sources.length
      } sources (${Math.round(
        sources.reduce((n, s) => n + s.text.length, 0) / 1024,
      )} KiB), ${hits.length} hits`,
    );
    if (hits.length)
      throw new Error(`secret values found:\n${describeHits(hits)}`);
  });
});
