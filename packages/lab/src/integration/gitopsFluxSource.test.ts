import { KubeConfig } from '@kubernetes/client-node';
import {
  fetchArtifact,
  FluxSourceTreeProvider,
  TreeSnapshot,
} from '@cloudlab/plugin-multi-provider-node';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KubeRest } from '../kube/rest';
import { gitopsPaths } from '../gitops/loop/components';
import {
  applyObj as applyAs,
  describeGitops,
  FLUX_GITREPOSITORIES,
  FLUX_KUSTOMIZATIONS,
  eventually,
  getJson,
  git,
  labFixture,
  labFluxArtifactUrl,
  requireSourceController,
  scratchGitRepository,
  seedScratchRepository,
  LabFixture,
} from './labFixture';

/**
 * Proof that the catalog's tree provider follows a commit through Flux's artifact: a commit to a
 * repository of the lab's Git server → source-controller's new artifact → a FluxSourceTreeProvider
 * snapshot at that revision holding the change, fetched over HTTP from the artifact address the
 * lab writes for a portal (`.cache/lab/flux-artifact-url`).
 */

jest.setTimeout(300_000);

const KUST = FLUX_KUSTOMIZATIONS;
const GITREPO = FLUX_GITREPOSITORIES;

const applyObj = (rest: KubeRest, p: string, obj: object) =>
  applyAs(rest, p, obj, 'cloudlab-lab-flux-source-test');

const marker = (value: string) =>
  `---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: marker\n  namespace: default\ndata:\n  value: "${value}"\n`;

describeGitops('the Flux source tree provider in the lab', () => {
  let fx: LabFixture;
  let rest: KubeRest;

  beforeAll(async () => {
    fx = await labFixture();
    rest = fx.clients.rest;
    await requireSourceController();
  });

  it('follows a commit to a snapshot at the new revision holding the change', async () => {
    const g = gitopsPaths(fx.paths);
    const name = `flux-source-proof-${Date.now()}`;
    const bare = path.join(g.gitRoot, `${name}.git`);
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'flux-source-proof-'));
    const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'flux-artifacts-'));
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(fx.paths.kubeconfig);
    const artifactBaseUrl = labFluxArtifactUrl(fx.paths);
    const provider = new FluxSourceTreeProvider({
      kubeConfig,
      kustomization: { namespace: 'flux-system', name },
      artifactBaseUrl,
      workDir,
      logger: {
        info: () => undefined,
        debug: () => undefined,
        warn: m => console.warn(m),
        error: m => console.error(m),
        child() {
          return this;
        },
      },
      fetchArtifact,
      backoff: { initialMs: 500, maxMs: 5_000 },
    });
    try {
      const base = seedScratchRepository(bare, work, 'base', () => {
        fs.mkdirSync(path.join(work, 'deploy'));
        fs.writeFileSync(
          path.join(work, 'deploy', 'marker.yaml'),
          marker('one'),
        );
      });
      await applyObj(rest, `${GITREPO}/${name}`, scratchGitRepository(name));
      // Suspended: the provider follows its sourceRef; nothing needs applying for this proof.
      await applyObj(rest, `${KUST}/${name}`, {
        apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
        kind: 'Kustomization',
        metadata: { name, namespace: 'flux-system' },
        spec: {
          interval: '10m',
          path: './deploy',
          prune: false,
          suspend: true,
          sourceRef: { kind: 'GitRepository', name },
        },
      });

      const first = await eventually(
        `a snapshot of GitRepository ${name} at ${base.slice(0, 8)}`,
        () => provider.current().catch(() => undefined),
        s => Boolean(s?.origin.revision.endsWith(base)),
        s => JSON.stringify(s?.origin ?? provider.errors()),
        120_000,
      );
      expect(first!.origin).toEqual({
        kind: 'flux',
        location: `GitRepository/flux-system/${name}`,
        revision: `main@sha1:${base}`,
        // The source's own address (credentials removed), where its entities' files live.
        url: expect.stringMatching(new RegExp(`/${name}\\.git$`)),
      });
      expect(await first!.source.readText('deploy/marker.yaml')).toContain(
        'value: "one"',
      );

      const seen: Array<{ at: number; snapshot: TreeSnapshot }> = [];
      provider.subscribe(snapshot => seen.push({ at: Date.now(), snapshot }));
      fs.writeFileSync(path.join(work, 'deploy', 'marker.yaml'), marker('two'));
      git(work, 'commit', '-q', '-am', 'change the marker');
      const next = git(work, 'rev-parse', 'HEAD');
      const t0 = Date.now();
      git(work, 'push', '-q', bare, 'main');
      await eventually(
        `a snapshot at ${next.slice(0, 8)}`,
        async () => seen.at(-1),
        s => Boolean(s?.snapshot.origin.revision.endsWith(next)),
        s => JSON.stringify(s?.snapshot.origin ?? provider.errors()),
        120_000,
      );
      const { at, snapshot } = seen.at(-1)!;
      expect(await snapshot.source.readText('deploy/marker.yaml')).toContain(
        'value: "two"',
      );
      // Exactly the revision source-controller recorded.
      const repo = await getJson(rest, `${GITREPO}/${name}`);
      expect(repo.status.artifact.revision).toBe(snapshot.origin.revision);
      // One snapshot per revision: the status updates in between called nobody.
      expect(seen.map(s => s.snapshot.origin.revision)).toEqual([
        `main@sha1:${next}`,
      ]);
      expect(provider.errors()).toEqual([]);
      console.log(
        `figure: commit -> FluxSourceTreeProvider snapshot (GitRepository interval 5s): ${(
          (at - t0) /
          1000
        ).toFixed(1)}s`,
      );
    } finally {
      await provider.close();
      await rest.request('DELETE', `${KUST}/${name}`);
      await rest.request('DELETE', `${GITREPO}/${name}`);
      fs.rmSync(bare, { recursive: true, force: true });
      fs.rmSync(work, { recursive: true, force: true });
      fs.rmSync(workDir, { recursive: true, force: true });
    }
  });
});
