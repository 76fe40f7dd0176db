import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import {
  loadTemplateExamples,
  scaffolderModuleGitops,
  stopValidatorServers,
} from '@cloudlab/plugin-scaffolder-backend-module-gitops';
import request from 'supertest';
import { parseAllDocuments } from 'yaml';
import { KubeRest } from '../kube/rest';
import { fluxState } from '../gitops/loop/flux';
import { gitopsPaths, gitopsPorts } from '../gitops/loop/components';
import { PROVIDER_LABEL } from '../registry/labProviders';
import {
  applyObj as applyAs,
  describeGitops,
  eventually,
  FLUX_GITREPOSITORIES,
  FLUX_KUSTOMIZATIONS,
  getJson,
  gitopsScaffolderConfig,
  labFixture,
  LabFixture,
  requireGitopsLoop,
  scratchRepository,
  showPods,
  templateEntity,
} from './labFixture';

/**
 * End to end: every template through the scaffolder backend's own HTTP API - the real
 * `@backstage/plugin-scaffolder-backend` with this repository's GitOps module, started in
 * process - as a dry run and as a real task publishing with `cloudlab.gitops.publish: local`.
 * The commits land on a scratch repository served by the lab's Git server; the lab's Flux then
 * applies the Flux Kustomizations the template wrote (sourceRef pointed at that repository) and
 * the new workload's pods run on the nodes of the providers chosen in the form.
 * Cleanup: the Kustomizations are deleted (prune removes what they applied), then the
 * GitRepository and the scratch repository. Gated like gitops.test.ts (scripts/lab-test.sh
 * --gitops).
 */

jest.setTimeout(900_000);

const KUST = FLUX_KUSTOMIZATIONS;
const GITREPO = FLUX_GITREPOSITORIES;
const applyObj = (rest: KubeRest, p: string, obj: object) =>
  applyAs(rest, p, obj, 'cloudlab-lab-scaffolder-test');

const git = (gitDir: string, ...args: string[]) =>
  execFileSync('git', ['--git-dir', gitDir, ...args], {
    encoding: 'utf8',
  }).trim();

const suffix = Date.now().toString(36).slice(-5);
const web = `e2e-web-${suffix}`;

const unique: Record<string, Record<string, unknown>> = {
  'provider-workload': { name: web, commitMessage: `e2e: ${web}` },
  'stateful-workload': { name: `e2e-db-${suffix}` },
  'redundant-service': {
    name: `e2e-dns-${suffix}`,
    secretName: 'e2e-dns-admin',
  },
  'vault-secret': { secretName: `pihole-e2e-${suffix}` },
  'onboard-provider': {},
};
/** Each template's example form values (templates/<name>/example-values.yaml), made unique. */
const examples = loadTemplateExamples(
  path.join(__dirname, '../../../../templates'),
);
const values: Record<string, Record<string, unknown>> = Object.fromEntries(
  Object.entries(examples).map(([name, v]) => [
    name,
    { ...v, ...unique[name] },
  ]),
);

describeGitops(
  'templates through the scaffolder API, published to the lab and applied by Flux',
  () => {
    const repoName = `scaffolder-e2e-${suffix}`;
    const applied: string[] = [];
    let fx: LabFixture;
    let rest: KubeRest;
    let bare: string;
    let templates: any[];
    let server: any;
    let stopBackend: (() => Promise<void>) | undefined;

    beforeAll(async () => {
      // Here, not in the describe body: a skipped suite still runs its body.
      fx = await labFixture();
      rest = fx.clients.rest;
      bare = path.join(gitopsPaths(fx.paths).gitRoot, `${repoName}.git`);
      templates = Object.keys(values).map(name => templateEntity(fx, name));
      await requireGitopsLoop();
      // The lab repository for this run: the committed tree of this checkout as `main`.
      scratchRepository(fx, bare);
      const backend = await startTestBackend({
        features: [
          scaffolderPlugin,
          scaffolderModuleGitops,
          catalogServiceMock.factory({ entities: templates }),
          mockServices.rootConfig.factory({
            data: gitopsScaffolderConfig(fx, bare),
          }),
        ],
      });
      server = backend.server;
      stopBackend = () => backend.stop();
    });

    afterAll(async () => {
      if (!rest) return;
      const r = rest;
      for (const name of applied)
        await rest.request('DELETE', `${KUST}/${name}`);
      for (const name of applied) {
        await eventually(
          `Kustomization ${name} pruned and gone`,
          () => getJson(r, `${KUST}/${name}`),
          o => o === undefined,
          () => 'present',
          180_000,
        ).catch(e => console.warn(String(e)));
      }
      // A retained volume stays Released once its claim is gone, as in production, and the
      // lab's pool has a few per zone and size: each run would use one up for good. The test
      // does what an operator does after a retained volume's data is no longer wanted (deletes
      // the volume); `lab up` puts a fresh one back into the pool.
      const retained = (
        (await getJson(r, '/api/v1/persistentvolumes'))?.items ?? []
      )
        .filter(
          (pv: any) =>
            pv.spec?.persistentVolumeReclaimPolicy === 'Retain' &&
            String(pv.spec?.claimRef?.name ?? '').startsWith(
              `e2e-db-${suffix}`,
            ),
        )
        .map((pv: any) => pv.metadata.name as string);
      for (const pv of retained)
        await rest.request('DELETE', `/api/v1/persistentvolumes/${pv}`);
      await rest.request('DELETE', `${GITREPO}/${repoName}`);
      fs.rmSync(bare, { recursive: true, force: true });
      await stopBackend?.();
      stopValidatorServers();
    });

    it.each(Object.keys(values))(
      'dry-runs the %s template (nothing is committed)',
      async name => {
        const before = git(bare, 'rev-parse', 'main');
        const res = await request(server)
          .post('/api/scaffolder/v2/dry-run')
          .send({
            template: templates.find(t => t.metadata.name === name),
            values: values[name],
            secrets: {},
            directoryContents: [],
          });
        const failed = (res.body.log ?? [])
          .map((l: any) => l.body?.message)
          .filter((m: string) => /error|fail/i.test(m ?? ''));
        // A refusal's reasons (`errors`) are part of the comparison, so a failure shows them.
        expect({ status: res.status, failed, errors: res.body.errors }).toEqual(
          {
            status: 200,
            failed: [],
            errors: undefined,
          },
        );
        const messages: string[] = (res.body.log ?? []).map(
          (l: any) => l.body?.message ?? '',
        );
        expect(messages.some(m => /gitops tree validates/.test(m))).toBe(true);
        const steps = (res.body.steps ?? []).map((s: any) => s.id);
        expect(steps).toEqual(expect.arrayContaining(['validate', 'commit']));
        expect(git(bare, 'rev-parse', 'main')).toBe(before);
      },
    );

    async function runTask(name: string) {
      const created = await request(server)
        .post('/api/scaffolder/v2/tasks')
        .send({
          templateRef: `template:default/${name}`,
          values: values[name],
        });
      expect(created.status).toBe(201);
      const id = created.body.id as string;
      const task = await eventually(
        `task ${name} finished`,
        async () =>
          (
            await request(server).get(`/api/scaffolder/v2/tasks/${id}`)
          ).body,
        t => ['completed', 'failed', 'cancelled'].includes(t.status),
        t => t.status,
        300_000,
      );
      const events = (
        await request(server).get(`/api/scaffolder/v2/tasks/${id}/events`)
      ).body as any[];
      const messages: string[] = events
        .map(e => e.body?.message)
        .filter(Boolean);
      if (task.status !== 'completed') {
        throw new Error(
          `task ${name} ${task.status}: ${messages.slice(-15).join('\n')}`,
        );
      }
      expect(messages.some(m => /gitops tree validates/.test(m))).toBe(true);
      // The template's output, rendered at completion.
      return events.find(e => e.type === 'completion')?.body?.output ?? {};
    }

    it.each(Object.keys(values))(
      'runs the %s template as a task: one validated commit on the lab repository',
      async name => {
        const before = git(bare, 'rev-parse', 'main');
        const output = await runTask(name);
        const after = git(bare, 'rev-parse', 'main');
        expect(after).not.toBe(before);
        expect(git(bare, 'rev-parse', `${after}^`)).toBe(before);
        expect(output.links?.[0]?.url).toBe(`file://${bare}`);
        const changed = git(bare, 'diff', '--name-only', before, after).split(
          '\n',
        );
        expect(changed.length).toBeGreaterThan(0);
        for (const f of changed)
          expect(f).toMatch(/^(gitops|providers|catalog|docs)\//);
      },
    );

    it('Flux applies the committed workloads: pods Running on the nodes of the chosen providers, volumes of their classes', async () => {
      const r = rest;
      const core = fx.clients.core;
      const head = git(bare, 'rev-parse', 'main');
      const appsYaml = git(bare, 'show', 'main:gitops/clusters/lab/apps.yaml');
      const workloads = ['provider-workload', 'stateful-workload'].map(t => ({
        name: values[t].name as string,
        providers: values[t].providers as string[],
        stateful: t === 'stateful-workload',
        classes: (values[t].classes ?? []) as {
          provider: string;
          class: string;
        }[],
      }));
      const kustomizations = parseAllDocuments(appsYaml)
        .map(d => d.toJS())
        .filter(
          k =>
            k?.kind === 'Kustomization' &&
            workloads.some(w =>
              String(k.spec?.path).startsWith(`./gitops/apps/${w.name}/`),
            ),
        );
      expect(kustomizations.map(k => k.spec.path).sort()).toEqual(
        workloads
          .flatMap(w => w.providers.map(p => `./gitops/apps/${w.name}/${p}`))
          .sort(),
      );

      await applyObj(rest, `${GITREPO}/${repoName}`, {
        apiVersion: 'source.toolkit.fluxcd.io/v1',
        kind: 'GitRepository',
        metadata: { name: repoName, namespace: 'flux-system' },
        spec: {
          interval: '10s',
          url: `http://127.0.0.1:${gitopsPorts().git}/${repoName}.git`,
          ref: { branch: 'main' },
        },
      });
      // The committed Flux Kustomizations as written (dependsOn, prune, wait), reading from
      // this run's repository instead of the lab's own.
      const t0 = Date.now();
      for (const k of kustomizations) {
        k.spec.sourceRef = { kind: 'GitRepository', name: repoName };
        k.spec.retryInterval = '10s';
        await applyObj(rest, `${KUST}/${k.metadata.name}`, k);
        applied.push(k.metadata.name);
      }
      const nodes = new Map(
        (await fx.clients.core.listNode()).items.map(n => [
          n.metadata!.name!,
          n.metadata?.labels?.[PROVIDER_LABEL],
        ]),
      );
      for (const k of kustomizations) {
        await eventually(
          `Kustomization ${k.metadata.name} Ready at ${head.slice(0, 8)}`,
          () => getJson(r, `${KUST}/${k.metadata.name}`),
          o => {
            const s = o && fluxState('Kustomization', o);
            return Boolean(
              s && s.ready === 'True' && s.revision.endsWith(head),
            );
          },
          o => JSON.stringify(o && fluxState('Kustomization', o)),
          300_000,
        );
      }
      for (const w of workloads) {
        for (const provider of w.providers) {
          const ns = `${w.name}-${provider}`;
          const pods = await eventually(
            `pods of ${ns} Running`,
            async () =>
              (
                await core.listNamespacedPod({
                  namespace: ns,
                  labelSelector: `app.kubernetes.io/name=${w.name}`,
                })
              ).items,
            ps =>
              ps.length > 0 &&
              ps.every(p => p.status?.phase === 'Running' && p.spec?.nodeName),
            showPods,
            180_000,
          );
          for (const p of pods)
            expect(nodes.get(p.spec!.nodeName!)).toBe(provider);
          const chosen = w.classes.find(c => c.provider === provider)?.class;
          const claims = (
            await core.listNamespacedPersistentVolumeClaim({
              namespace: ns,
            })
          ).items;
          expect(claims.length > 0).toBe(w.stateful);
          expect(claims.map(c => c.status?.phase)).toEqual(
            claims.map(() => 'Bound'),
          );
          // The class chosen in the form for this provider (else the provider's default).
          expect(
            claims.filter(() => chosen).map(c => c.spec?.storageClassName),
          ).toEqual(claims.filter(() => chosen).map(() => chosen));
        }
      }
      console.log(
        `figure: Flux source + ${
          kustomizations.length
        } Kustomizations -> ${workloads
          .map(w => w.name)
          .join(', ')} Running on ${workloads[0].providers.join(' and ')}: ${(
          (Date.now() - t0) /
          1000
        ).toFixed(1)}s`,
      );
    });
  },
);
