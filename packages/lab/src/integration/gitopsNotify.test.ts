import { defaultKustomizeCommand } from '@cloudlab/plugin-multi-provider-node';
import { EntityGitOpsResponse } from '@cloudlab/plugin-multi-provider-common';
import { databaseConfig } from '@internal/cloudlab-bench/src/load/loadDatabase';
import {
  PortalBackend,
  startPortalBackend,
} from '@internal/cloudlab-bench/src/load/portalBackend';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { KubeRest } from '../kube/rest';
import { gitopsPaths } from '../gitops/loop/components';
import {
  fluxKustomization,
  writeDocs,
  writeTree,
} from './__testUtils__/scratchTree';
import {
  applyObj as applyAs,
  describeGitops,
  FLUX_GITREPOSITORIES,
  FLUX_KUSTOMIZATIONS,
  eventually,
  git,
  labFixture,
  LabFixture,
  labFluxArtifactUrl,
  requireSourceController,
  scratchGitRepository,
  seedScratchRepository,
} from './labFixture';

/**
 * Proof that a Flux incident reaches the owners of the entity, end to end: the real backend
 * (packages/backend/src/index.ts with the notifications backend, as its own process) follows a
 * scratch repository through source-controller's artifact, so the catalog holds a generated
 * Component (owner `group:default/platform-team`) claiming the app's Flux Kustomization. A commit
 * that breaks the app's kustomize build turns that Kustomization Ready=False; the owner group's
 * member (the guest user) reads exactly one notification about it through the notifications
 * backend's API — not one per retry of kustomize-controller — and after a fixing commit the same
 * notification (same scope) says it is Ready again.
 */

jest.setTimeout(600_000);

const KUST = FLUX_KUSTOMIZATIONS;
const GITREPO = FLUX_GITREPOSITORIES;
// Short, so the proof is quick; still longer than one Ready=Unknown of a retry.
const DEBOUNCE_SECONDS = 3;

const applyObj = (rest: KubeRest, p: string, obj: object) =>
  applyAs(rest, p, obj, 'cloudlab-lab-notify-test');

/** The notifications backend's answer, reduced to what the proof reads. */
interface NotificationList {
  totalCount: number;
  notifications: Array<{
    id: string;
    user: string | null;
    created: string;
    updated?: string | null;
    origin: string;
    payload: {
      title: string;
      description?: string;
      link?: string;
      severity?: string;
      topic?: string;
      scope?: string;
    };
  }>;
}

describeGitops('Flux incidents notify the owning group in the lab', () => {
  let fx: LabFixture;
  let rest: KubeRest;

  beforeAll(async () => {
    fx = await labFixture();
    rest = fx.clients.rest;
    await requireSourceController();
  });

  it('a broken commit → one notification to the owner group → a fix → the resolving one', async () => {
    const name = `notify-proof-${Date.now().toString(36)}`;
    const app = `${name}-web`;
    const g = gitopsPaths(fx.paths);
    const bare = path.join(g.gitRoot, `${name}.git`);
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'notify-proof-'));
    const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'notify-backend-'));
    let backend: PortalBackend | undefined;
    const commit = (message: string) => {
      git(work, 'add', '.');
      git(work, 'commit', '-q', '-m', message);
      git(work, 'push', '-q', bare, 'main');
      return git(work, 'rev-parse', 'HEAD');
    };
    try {
      seedScratchRepository(bare, work, 'base: web', () =>
        writeTree(work, name, ['web']),
      );
      await applyObj(rest, `${GITREPO}/${name}`, scratchGitRepository(name));
      await applyObj(
        rest,
        `${KUST}/${name}`,
        fluxKustomization(name, 'gitops/clusters/lab', name),
      );

      const layer = path.join(workDir, 'app-config.notify.yaml');
      fs.writeFileSync(
        layer,
        YAML.stringify({
          cloudlab: {
            gitopsTree: {
              local: null,
              flux: {
                artifactBaseUrl: labFluxArtifactUrl(fx.paths),
                kustomization: { namespace: 'flux-system', name },
              },
              kustomizeCommand: defaultKustomizeCommand(fx.paths.root),
            },
            notifications: {
              flux: { debounce: `${DEBOUNCE_SECONDS}s` },
            },
          },
        }),
      );
      backend = await startPortalBackend({
        root: fx.paths.root,
        workDir,
        extraConfig: layer,
        // The hand-written catalog (users and groups included) comes with the tree Flux applies,
        // and this backend's tree is the scratch repository: the organisation, which decides who
        // is a member of the owner group, is added as a location of its own.
        entitiesYaml: ['groups.yaml', 'users.yaml']
          .map(f =>
            fs.readFileSync(
              path.join(fx.paths.root, 'catalog', 'org', f),
              'utf8',
            ),
          )
          .join('\n---\n'),
        database: databaseConfig('sqlite'),
      });
      const portal = backend;
      const get = portal.getJson;
      const scope = `cloudlab:flux:lab/Kustomization/flux-system/${app}`;
      // The guest user is a member of platform-team (catalog/org/users.yaml).
      const incident = async () => {
        const list = await get<NotificationList>(
          '/api/notifications/notifications?limit=100',
        );
        return (list?.notifications ?? []).filter(
          n => n.payload.scope === scope,
        );
      };
      const gitopsOf = () =>
        get<EntityGitOpsResponse>(
          `/api/multi-provider/entity/default/component/${app}/gitops`,
        );

      // 1. The generated Component claims the app's Kustomization, which is Ready: nothing sent.
      const healthy = await eventually(
        `Component ${app} in the catalog, its Kustomization Ready`,
        gitopsOf,
        r => r?.rollup.verdict === 'healthy',
        r =>
          `${JSON.stringify(r?.rollup ?? 'absent')} (log: ${portal.logFile})`,
        180_000,
      );
      expect(healthy!.clusters[0].objects.map(o => o.name)).toEqual([app]);
      expect(await incident()).toEqual([]);

      // 2. A commit whose kustomization names a file that does not exist: BuildFailed.
      writeDocs(work, 'gitops/apps/web/kustomization.yaml', [
        {
          apiVersion: 'kustomize.config.k8s.io/v1beta1',
          kind: 'Kustomization',
          resources: ['deployment.yaml', 'service.yaml'],
        },
      ]);
      const broken = commit('break web: service.yaml is missing');
      const t0 = Date.now();
      const [opened] = await eventually(
        `a notification about ${app} for the guest`,
        incident,
        list => list.length > 0,
        list => `${JSON.stringify(list)} (log: ${portal.logFile})`,
        120_000,
      );
      const toNotification = Date.now() - t0;
      const failing = await gitopsOf();
      expect(failing!.rollup).toMatchObject({ verdict: 'failing' });
      const object = failing!.clusters[0].objects[0];
      expect(object.lastAttemptedRevision).toBe(`main@sha1:${broken}`);
      expect(opened).toMatchObject({
        user: 'user:default/guest',
        origin: 'plugin:multi-provider',
        payload: {
          title: `Flux Kustomization flux-system/${app} (lab) is failing`,
          severity: 'high',
          topic: 'flux-incident',
          link: `/catalog/default/component/${app}/gitops`,
        },
      });
      expect(opened.payload.description).toContain(object.reason!);
      expect(opened.payload.description).toContain('service.yaml');

      // 3. kustomize-controller keeps retrying (retryInterval 5s): the one notification stays
      // one, and is not sent again (a re-send of the same scope would move `updated`).
      await new Promise(r => setTimeout(r, 20_000));
      expect(await incident()).toEqual([opened]);

      // 4. The fixing commit: the same notification now says it is Ready again.
      writeTree(work, name, ['web']);
      commit('fix web');
      const [resolved] = await eventually(
        `the notification about ${app} resolved`,
        incident,
        list => list[0]?.payload.severity === 'normal',
        list => `${JSON.stringify(list)} (log: ${portal.logFile})`,
        120_000,
      );
      expect(resolved).toMatchObject({
        id: opened.id,
        payload: {
          title: `Flux Kustomization flux-system/${app} (lab) is Ready again`,
          severity: 'normal',
          link: opened.payload.link,
        },
      });
      expect(resolved.payload.description).toContain(object.reason!);
      expect((await incident()).length).toBe(1);
      expect((await gitopsOf())!.rollup.verdict).toBe('healthy');

      console.log(
        `figure: broken commit -> owner notified (real backend, debounce ${DEBOUNCE_SECONDS}s, GitRepository interval 5s): ${(
          toNotification / 1000
        ).toFixed(1)}s`,
      );
    } finally {
      await backend?.stop();
      for (const p of [
        `${KUST}/${name}`,
        `${KUST}/${app}`,
        `${GITREPO}/${name}`,
        `/api/v1/namespaces/${name}`,
      ]) {
        await rest.request('DELETE', p);
      }
      fs.rmSync(bare, { recursive: true, force: true });
      fs.rmSync(work, { recursive: true, force: true });
      fs.rmSync(workDir, { recursive: true, force: true });
    }
  });
});
