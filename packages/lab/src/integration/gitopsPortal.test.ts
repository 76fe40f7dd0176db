import { defaultKustomizeCommand } from '@cloudlab/plugin-multi-provider-node';
import {
  DesiredStorageResponse,
  EntityPlacementResponse,
} from '@cloudlab/plugin-multi-provider-common';
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
import { fluxKustomization, writeTree } from './__testUtils__/scratchTree';
import {
  applyObj as applyAs,
  describeGitops,
  FLUX_GITREPOSITORIES,
  FLUX_KUSTOMIZATIONS,
  eventually,
  getJson,
  git,
  labFixture,
  LabFixture,
  labFluxArtifactUrl,
  placementPods,
  requireSourceController,
  scratchGitRepository,
  seedScratchRepository,
} from './labFixture';

/**
 * Proof that the portal follows what Flux applies, end to end: the real backend
 * (packages/backend/src/index.ts, as its own process) configured with `cloudlab.gitopsTree.flux`
 * and no local folder reads a scratch repository of the lab's Git server through
 * source-controller's artifact; its catalog holds the generated entities at the revision Flux
 * reports, a commit adding a workload (a new Flux Kustomization) reaches the catalog at the new
 * revision, each generated Component's placement lists the pods Flux made run, and the
 * desired-storage view renders the same tree.
 *
 * The scratch repository is a cluster tree of its own (sync pair, layer file, apps), and the
 * backend follows its sync Kustomization (`flux.kustomization`), not the lab's root
 * `flux-system/flux-system`. Following the root through a commit cannot be done safely: the root
 * reads the forge's `main`, which `gitops up` sets to the `main` the checkout's worktrees share
 * (gitopsForge.test.ts merges one harmless file there and sets it back); pointing the root
 * GitRepository at another ref instead would make the loop re-apply and prune the lab's own tree
 * (the workloads the other GitOps proofs assert on, which may run at the same time) and break
 * their "root Ready at a `main@sha1:…` of this repository" check. A read-only proof through the
 * root (the portal on the default `flux-system/flux-system`, asserting entities at the root's
 * revision and their live pods, with no commit) would be safe; it is not written yet.
 */

jest.setTimeout(600_000);

const KUST = FLUX_KUSTOMIZATIONS;
const GITREPO = FLUX_GITREPOSITORIES;
// As the catalog module writes them (its entities/annotations.ts).
const SOURCE_ANNOTATION = 'cloudlab.dev/gitops-source';
const REVISION_ANNOTATION = 'cloudlab.dev/gitops-revision';

const applyObj = (rest: KubeRest, p: string, obj: object) =>
  applyAs(rest, p, obj, 'cloudlab-lab-portal-test');

type Obj = Record<string, any>;

describeGitops('the portal on the tree Flux applies in the lab', () => {
  let fx: LabFixture;
  let rest: KubeRest;

  beforeAll(async () => {
    fx = await labFixture();
    rest = fx.clients.rest;
    await requireSourceController();
  });

  it('follows a commit through the artifact into the catalog, placement and desired storage', async () => {
    const name = `portal-proof-${Date.now().toString(36)}`;
    const g = gitopsPaths(fx.paths);
    const bare = path.join(g.gitRoot, `${name}.git`);
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'portal-proof-'));
    const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'portal-backend-'));
    let backend: PortalBackend | undefined;
    try {
      const base = seedScratchRepository(bare, work, 'base: web', () =>
        writeTree(work, name, ['web']),
      );
      // The bootstrap step: the sync pair, as the tree defines it; Flux applies the rest.
      await applyObj(rest, `${GITREPO}/${name}`, scratchGitRepository(name));
      await applyObj(
        rest,
        `${KUST}/${name}`,
        fluxKustomization(name, 'gitops/clusters/lab', name),
      );

      // What CLOUDLAB_GITOPS_TREE=flux writes (scripts/lib/lab-app-config.sh), following the
      // scratch sync Kustomization instead of flux-system/flux-system.
      const layer = path.join(workDir, 'app-config.flux-tree.yaml');
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
          },
        }),
      );
      backend = await startPortalBackend({
        root: fx.paths.root,
        workDir,
        extraConfig: layer,
        database: databaseConfig('sqlite'),
      });
      const portal = backend;
      const get = portal.getJson;
      const component = (app: string) =>
        get(`/api/catalog/entities/by-name/component/default/${name}-${app}`);
      const annotations = (e: Obj | undefined) =>
        e?.metadata?.annotations ?? {};
      const atRevision = (app: string, sha: string) =>
        eventually(
          `Component ${name}-${app} in the catalog at ${sha.slice(0, 8)}`,
          () => component(app),
          e => Boolean(annotations(e)[REVISION_ANNOTATION]?.endsWith(sha)),
          e =>
            `${JSON.stringify(e?.metadata?.annotations ?? 'absent')} (log: ${
              portal.logFile
            })`,
          120_000,
        );

      const livePods = (app: string, replicas: number) =>
        eventually(
          `the placement of ${name}-${app} listing its ${replicas} live pods`,
          () =>
            get<EntityPlacementResponse>(
              `/api/multi-provider/entity/default/component/${name}-${app}/placement`,
            ),
          // Scheduled is not enough: kwok reports a pod Running a moment after it is bound.
          p =>
            Boolean(
              p &&
                p.clusters.reduce((n, c) => n + c.podCount, 0) === replicas &&
                placementPods(p).length === replicas &&
                placementPods(p).every(pod => pod.phase === 'Running'),
            ),
          p => JSON.stringify(p?.clusters ?? 'absent'),
          120_000,
        );
      // 1. The catalog reads the tree at the revision source-controller reports.
      const web = await atRevision('web', base);
      const repo = await getJson(rest, `${GITREPO}/${name}`);
      expect(repo.status.artifact.revision).toBe(`main@sha1:${base}`);
      expect(annotations(web)).toMatchObject({
        [SOURCE_ANNOTATION]: `GitRepository/flux-system/${name}`,
        [REVISION_ANNOTATION]: repo.status.artifact.revision,
        'backstage.io/kubernetes-label-selector': `app=${name}-web`,
        'backstage.io/kubernetes-namespace': name,
      });
      // The sync Kustomization, which applies no workload, is a Component of its own.
      const sync = await get(
        `/api/catalog/entities/by-name/component/default/${name}`,
      );
      expect(annotations(sync)).toMatchObject({
        [SOURCE_ANNOTATION]: `GitRepository/flux-system/${name}`,
        [REVISION_ANNOTATION]: `main@sha1:${base}`,
      });

      // 2. Its Placement tab shows the pods Flux made run, where the tree pinned them.
      const webPlacement = await livePods('web', 2);
      for (const pod of placementPods(webPlacement!)) {
        expect(pod).toMatchObject({
          provider: 'scaleway',
          namespace: name,
          phase: 'Running',
          owner: { kind: 'Deployment', name: `${name}-web` },
        });
      }

      // 3. A commit adding a workload through a new Flux Kustomization reaches the catalog.
      writeTree(work, name, ['web', 'api']);
      git(work, 'add', '.');
      git(work, 'commit', '-q', '-m', 'add api');
      const next = git(work, 'rev-parse', 'HEAD');
      const t0 = Date.now();
      git(work, 'push', '-q', bare, 'main');
      const api = await atRevision('api', next);
      const toEntity = Date.now() - t0;
      expect(annotations(api)[SOURCE_ANNOTATION]).toBe(
        `GitRepository/flux-system/${name}`,
      );
      // Incremental: the unchanged entity keeps the revision it was first read at.
      expect(annotations(await component('web'))[REVISION_ANNOTATION]).toBe(
        `main@sha1:${base}`,
      );
      const apiPlacement = await livePods('api', 2);
      const toPods = Date.now() - t0;
      expect(
        placementPods(apiPlacement!).map(p => [p.provider, p.phase]),
      ).toEqual([
        ['scaleway', 'Running'],
        ['scaleway', 'Running'],
      ]);

      // 4. The desired-storage view renders the same tree: the scratch cluster's Kustomizations,
      // none of the checkout's own lab tree.
      const desired = await get<DesiredStorageResponse>(
        '/api/multi-provider/platform/storage/desired?cluster=lab',
      );
      expect(desired!.clusters).toEqual(['lab']);
      expect(
        desired!.kustomizations.map(k => [k.name, k.path, k.error]).sort(),
      ).toEqual([
        [`${name}-api`, 'gitops/apps/api', undefined],
        [`${name}-web`, 'gitops/apps/web', undefined],
      ]);

      console.log(
        `figure: commit -> catalog entity at the new revision (real backend, GitRepository interval 5s): ${(
          toEntity / 1000
        ).toFixed(1)}s; -> its placement listing the live pods: ${(
          toPods / 1000
        ).toFixed(1)}s`,
      );
    } finally {
      await backend?.stop();
      // The sync Kustomization first, so nothing re-applies what the others' deletion prunes.
      for (const p of [
        `${KUST}/${name}`,
        `${KUST}/${name}-api`,
        `${KUST}/${name}-web`,
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
