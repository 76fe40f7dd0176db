import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { UrlReaders } from '@backstage/backend-defaults/urlReader';
import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import YAML from 'yaml';
import { KubeRest } from '../kube/rest';
import {
  FORGE,
  FORGE_ADMIN,
  FORGE_PORTAL,
  FORGE_REPO,
  forgeApi,
  ForgeApi,
  forgePaths,
  forgeRepoUrl,
  forgeUrl,
  gitAuthEnv,
  pushMainToForge,
} from '../gitops/loop/forge';
import { requestReconcile } from '../gitops/loop/flux';
import { gitopsStatus } from '../gitops/loop/loop';
import {
  describeGitops,
  eventually,
  FLUX_GITREPOSITORIES,
  FLUX_KUSTOMIZATIONS,
  getJson,
  git,
  labFixture,
  LabFixture,
} from './labFixture';

/**
 * Proof of the lab's Git forge (Gitea, docs/lab/forge.md): it is up and is what Flux reads; its
 * `main` is protected (the portal's user cannot push to it, nor merge); a branch and a pull request
 * opened through the API by the portal's user and merged through the API by the lab's admin make
 * Flux reconcile the merge commit (the flux-system GitRepository's artifact, then the root
 * Kustomization, at that revision). Prints the time of each stage. Afterwards the forge's `main` is
 * set back to the checkout's (what `gitops up` pushes), and Flux follows it again.
 */

jest.setTimeout(600_000);

const ROOT_SOURCE = `${FLUX_GITREPOSITORIES}/flux-system`;
const ROOT_KUSTOMIZATION = `${FLUX_KUSTOMIZATIONS}/flux-system`;

const artifactRevision = (o: any): string =>
  o?.status?.artifact?.revision ?? '';
const appliedRevision = (o: any): string =>
  o?.status?.lastAppliedRevision ?? '';

describeGitops('the lab’s Git forge', () => {
  let fx: LabFixture;
  let rest: KubeRest;
  let admin: ForgeApi;
  let portal: ForgeApi;
  let work: string;
  const repo = `/repos/${FORGE_REPO.owner}/${FORGE_REPO.name}`;
  const t0 = Date.now();
  const stage = (what: string) =>
    console.log(
      `forge proof: ${what} at +${((Date.now() - t0) / 1000).toFixed(1)}s`,
    );
  const mainSha = async () =>
    (
      await admin.call<{ commit: { id: string } }>(
        'GET',
        `${repo}/branches/main`,
      )
    ).commit.id;

  beforeAll(async () => {
    fx = await labFixture();
    rest = fx.clients.rest;
    admin = forgeApi(fx.paths, 'admin');
    portal = forgeApi(fx.paths, 'portal');
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'forge-proof-'));
  });

  afterAll(async () => {
    fs.rmSync(work, { recursive: true, force: true });
    if (!fx) return;
    // What `gitops up` leaves: the forge's main = the checkout's; Flux back at that revision,
    // so the other proofs see a revision of this repository.
    const head = pushMainToForge(fx.paths);
    await requestReconcile(rest, 'GitRepository/flux-system');
    await eventually(
      `the root Kustomization back at the checkout's ${head.slice(0, 12)}`,
      () => getJson(rest, ROOT_KUSTOMIZATION),
      o => appliedRevision(o) === `main@sha1:${head}`,
      o => appliedRevision(o),
      300_000,
    );
  });

  it('is up, healthy and the source of the flux-system GitRepository', async () => {
    const res = await fetch(`${forgeUrl()}/api/healthz`);
    expect(res.status).toBe(200);
    const status = (await gitopsStatus()).find(s => s.name === FORGE)!;
    expect(status.healthy).toBe(true);
    expect(status.rssMiB).toBeGreaterThan(0);
    const version = await admin.call<{ version: string }>('GET', '/version');
    expect(version.version).toBe('1.27.3');
    const source = await getJson(rest, ROOT_SOURCE);
    expect(source.spec.url).toBe(forgeRepoUrl());
    // The two users the lab made: an admin, and the portal without admin rights.
    expect((await admin.call('GET', '/user')).login).toBe(FORGE_ADMIN);
    const me = await portal.call('GET', '/user');
    expect(me).toMatchObject({ login: FORGE_PORTAL, is_admin: false });
    for (const f of [
      forgePaths(fx.paths).adminToken,
      forgePaths(fx.paths).portalToken,
    ])
      expect(fs.statSync(f).mode & 0o777).toBe(0o600);
    stage(`forge up (RSS ${status.rssMiB} MiB), Flux reads ${forgeRepoUrl()}`);
  });

  it('refuses a direct push to main by the portal, and lets it push a branch', async () => {
    const before = await mainSha();
    const token = fs
      .readFileSync(forgePaths(fx.paths).portalToken, 'utf8')
      .trim();
    const env = gitAuthEnv(FORGE_PORTAL, token);
    const clone = path.join(work, 'clone');
    git(work, 'clone', '-q', '--depth', '1', forgeRepoUrl(), clone);
    expect(git(clone, 'rev-parse', 'HEAD')).toBe(before);
    fs.mkdirSync(path.join(clone, 'lab-forge-proof'), { recursive: true });
    fs.writeFileSync(
      path.join(clone, 'lab-forge-proof', 'direct.md'),
      'a push to main\n',
    );
    git(clone, 'add', '.');
    git(clone, 'commit', '-q', '-m', 'forge proof: a direct push to main');
    let refused = '';
    try {
      execFileSync('git', ['push', forgeRepoUrl(), 'HEAD:refs/heads/main'], {
        cwd: clone,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    } catch (e) {
      refused = String((e as { stderr?: Buffer }).stderr ?? e);
    }
    expect(refused).toMatch(/protected branch|not allowed to push/i);
    expect(await mainSha()).toBe(before);
    // The same commit on a branch of its own: the right a portal needs to propose a change.
    const branch = `forge-proof-push-${Date.now()}`;
    execFileSync(
      'git',
      ['push', '-q', forgeRepoUrl(), `HEAD:refs/heads/${branch}`],
      {
        cwd: clone,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const pushed = await portal.call('GET', `${repo}/branches/${branch}`);
    expect(pushed.commit.id).toBe(git(clone, 'rev-parse', 'HEAD'));
    await portal.call('DELETE', `${repo}/branches/${branch}`);
    stage('direct push to main refused, branch push accepted');
  });

  it('a pull request opened by the portal and merged by the admin is what Flux reconciles', async () => {
    const branch = `forge-proof-${Date.now()}`;
    const file = `lab-forge-proof/${branch}.md`;
    const content = `proof of the pull-request loop (${branch})\n`;
    await portal.call('POST', `${repo}/branches`, {
      new_branch_name: branch,
      old_ref_name: 'main',
    });
    await portal.call('POST', `${repo}/contents/${file}`, {
      branch,
      message: `forge proof: ${file}`,
      content: Buffer.from(content).toString('base64'),
    });
    const pr = await portal.call<{ number: number; state: string }>(
      'POST',
      `${repo}/pulls`,
      {
        head: branch,
        base: 'main',
        title: `forge proof: ${branch}`,
        body: 'Opened by the lab proof (packages/lab/src/integration/gitopsForge.test.ts).',
      },
    );
    expect(pr.state).toBe('open');
    stage(`pull request #${pr.number} opened by ${FORGE_PORTAL}`);

    // Backstage reads the pull request's head through UrlReaderService, with the integration
    // the lab's app-config layer declares (scripts/lib/lab-app-config.sh) and the portal's token
    // where Backstage substitutes CLOUDLAB_LAB_FORGE_TOKEN.
    const layer = path.join(work, 'app-config.lab.yaml');
    execFileSync(
      'bash',
      [
        '-c',
        'source scripts/lib/lab-app-config.sh && write_lab_app_config "$1" "$2"',
        '-',
        layer,
        fx.paths.state,
      ],
      { cwd: fx.paths.root },
    );
    const [gitea] = YAML.parse(fs.readFileSync(layer, 'utf8')).integrations
      .gitea;
    expect(gitea).toEqual({
      host: new URL(forgeUrl()).host,
      baseUrl: forgeUrl(),
      password: '${CLOUDLAB_LAB_FORGE_TOKEN}',
    });
    const token = fs
      .readFileSync(forgePaths(fx.paths).portalToken, 'utf8')
      .trim();
    const reader = UrlReaders.default({
      config: new ConfigReader({
        integrations: { gitea: [{ ...gitea, password: token }] },
      }),
      logger: mockServices.logger.mock(),
    });
    const headUrl = `${forgeUrl()}/${FORGE_REPO.owner}/${
      FORGE_REPO.name
    }/src/branch/${branch}`;
    const read = await reader.readUrl(`${headUrl}/${file}`);
    expect((await read.buffer()).toString('utf8')).toBe(content);
    const tree = await reader.readTree(`${headUrl}/lab-forge-proof`);
    const files = await tree.files();
    expect(files.map(x => x.path)).toContain(`${branch}.md`);
    stage(
      'UrlReaderService (integrations.gitea) read the pull request head: file and tree',
    );
    // The portal may propose, not merge: main's merge allowlist names the admin only.
    await expect(
      portal.call('POST', `${repo}/pulls/${pr.number}/merge`, { Do: 'merge' }),
    ).rejects.toThrow(/^forge: POST .*\/merge: 405 User not allowed to merge/);
    // The forge checks a new pull request's mergeability in the background; a merge before that
    // is answered 405 "Please try again later".
    await eventually(
      `pull request #${pr.number} mergeable`,
      () =>
        admin.call<{ mergeable: boolean }>('GET', `${repo}/pulls/${pr.number}`),
      x => x.mergeable === true,
      x => JSON.stringify({ mergeable: x.mergeable }),
      60_000,
    );
    await admin.call('POST', `${repo}/pulls/${pr.number}/merge`, {
      Do: 'merge',
      delete_branch_after_merge: true,
    });
    const merged = await admin.call<{
      merged: boolean;
      merge_commit_sha: string;
    }>('GET', `${repo}/pulls/${pr.number}`);
    expect(merged.merged).toBe(true);
    expect(merged.merge_commit_sha).toMatch(/^[0-9a-f]{40}$/);
    expect(await mainSha()).toBe(merged.merge_commit_sha);
    const tMerged = Date.now();
    stage(`merged by ${FORGE_ADMIN}: ${merged.merge_commit_sha.slice(0, 12)}`);

    const revision = `main@sha1:${merged.merge_commit_sha}`;
    await requestReconcile(rest, 'GitRepository/flux-system');
    const source = await eventually(
      `the flux-system GitRepository's artifact at the merge commit ${revision}`,
      () => getJson(rest, ROOT_SOURCE),
      o => artifactRevision(o) === revision,
      o =>
        `${artifactRevision(o)} ${JSON.stringify(o?.status?.conditions ?? [])}`,
      180_000,
    );
    expect(artifactRevision(source)).toBe(revision);
    stage(
      `GitRepository artifact at the merge commit (${(
        (Date.now() - tMerged) /
        1000
      ).toFixed(1)}s after the merge)`,
    );
    await eventually(
      `the root Kustomization applied at ${revision}`,
      () => getJson(rest, ROOT_KUSTOMIZATION),
      o => appliedRevision(o) === revision,
      o => appliedRevision(o),
      300_000,
    );
    stage(
      `root Kustomization applied the merge commit (${(
        (Date.now() - tMerged) /
        1000
      ).toFixed(1)}s after the merge)`,
    );
  });
});
