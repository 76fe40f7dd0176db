import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { copyFixtureRepo } from '../__fixtures__/copyFixtureRepo';
import { previewLocationKind } from './openPreviewTree';
import { catalogPreviewSchema, formatCatalogPreview } from './previewReport';
import { runCatalogPreview } from './runCatalogPreview';

jest.setTimeout(120_000);

// Tests run from source, where __dirname is this directory.
// eslint-disable-next-line no-restricted-syntax
const REPO_ROOT = path.resolve(__dirname, '../../../..');
const logger = mockServices.logger.mock();
const config = new ConfigReader({
  integrations: {
    gitlab: [
      {
        host: 'gitlab.example',
        apiBaseUrl: 'https://gitlab.example/api/v4',
        token: 't',
      },
    ],
  },
});
const env = (cwd: string) => ({
  config,
  logger,
  cwd,
  urlReader: () => {
    throw new Error('no integration URL in these tests');
  },
});
const providersDir = path.join(REPO_ROOT, 'providers');

/** The command as an adopter runs it: `yarn cloudlab catalog preview …` from `cwd`. */
function cli(args: string[], cwd: string) {
  return spawnSync(
    process.execPath,
    [
      '--require',
      require.resolve('@backstage/cli/config/nodeTransform.cjs'),
      path.join(__dirname, 'cli.ts'),
      'catalog',
      'preview',
      ...args,
    ],
    { cwd, encoding: 'utf8', env: { ...process.env, INIT_CWD: cwd } },
  );
}

describe('catalog preview', () => {
  it('previews this repository: every cluster with entities, no error, exit 0', async () => {
    const preview = await runCatalogPreview(
      { location: '.', providersDir, catalogPath: 'catalog' },
      env(REPO_ROOT),
    );
    expect(preview.fluxPath).toBe('gitops');
    expect(preview.tree).toEqual({
      kind: 'local',
      location: REPO_ROOT,
      revision: 'working-copy',
    });
    expect(preview.errors).toEqual([]);
    expect(preview.clusters.map(c => c.name)).toEqual(
      expect.arrayContaining(['cloudlab', 'lab']),
    );
    for (const c of preview.clusters) {
      expect(c.followed.length).toBeGreaterThan(0);
      expect(c.entities.length).toBeGreaterThan(0);
    }
    // Workload entities carry what the Placement tab finds their pods with.
    expect(
      preview.clusters
        .flatMap(c => c.entities)
        .some(e => e.labelSelector || e.kubernetesId),
    ).toBe(true);

    const run = cli(['.', '--catalog-path', 'catalog', '--json'], REPO_ROOT);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const json = catalogPreviewSchema.parse(JSON.parse(run.stdout));
    expect(json.clusters.map(c => c.name)).toEqual(
      preview.clusters.map(c => c.name),
    );
  });

  it('reports every error with file and reason and exits 1', async () => {
    const root = copyFixtureRepo();
    fs.writeFileSync(
      path.join(root, 'gitops/infra/db/helmrelease.yaml'),
      'kind: [unclosed\n',
    );
    const preview = await runCatalogPreview(
      { location: root, providersDir: path.join(root, 'providers') },
      env(os.tmpdir()),
    );
    expect(preview.errors).toEqual([
      expect.objectContaining({
        file: 'gitops/infra/db/helmrelease.yaml',
        reason: expect.stringContaining('invalid YAML'),
      }),
    ]);
    // The other entities are still previewed.
    expect(preview.clusters.flatMap(c => c.entities).length).toBeGreaterThan(0);
    expect(formatCatalogPreview(preview)).toMatch(
      /Errors \(1\):\n {2}gitops\/infra\/db\/helmrelease\.yaml: invalid YAML/,
    );

    const run = cli(
      [path.basename(root), '--providers', path.join(root, 'providers')],
      path.dirname(root),
    );
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/gitops\/infra\/db\/helmrelease\.yaml: /);
  });

  it('clones a plain Git URL at its head commit and removes the clone', async () => {
    const root = copyFixtureRepo();
    const git = (...args: string[]) =>
      execFileSync('git', ['-C', root, ...args], { encoding: 'utf8' }).trim();
    git('init', '--quiet', '--initial-branch', 'main');
    git('add', '.');
    git(
      '-c',
      'user.name=t',
      '-c',
      'user.email=t@example.com',
      'commit',
      '--quiet',
      '-m',
      'fixture',
    );
    const head = git('rev-parse', 'HEAD');
    const before = fs
      .readdirSync(os.tmpdir())
      .filter(f => f.startsWith('cloudlab-preview-'));
    const preview = await runCatalogPreview(
      {
        location: `file://${root}`,
        providersDir: path.join(root, 'providers'),
      },
      env(os.tmpdir()),
    );
    expect(preview.tree).toEqual({
      kind: 'url',
      location: `file://${root}`,
      revision: head,
    });
    expect(preview.errors).toEqual([]);
    expect(preview.clusters.length).toBeGreaterThan(0);
    expect(
      fs
        .readdirSync(os.tmpdir())
        .filter(f => f.startsWith('cloudlab-preview-')),
    ).toEqual(before);
  });

  it('names the location when it cannot be read', async () => {
    await expect(
      runCatalogPreview(
        { location: 'no-such-folder', providersDir },
        env(os.tmpdir()),
      ),
    ).rejects.toThrow('no-such-folder: no such folder');
    await expect(
      runCatalogPreview(
        { location: 'file:///nonexistent/repo.git', providersDir },
        env(os.tmpdir()),
      ),
    ).rejects.toThrow(/^file:\/\/\/nonexistent\/repo\.git: git clone failed/);
  });

  it('reads a URL of a configured integration through the URL reader, anything else with git', () => {
    expect(
      previewLocationKind('https://gitlab.example/o/r/-/tree/main', config),
    ).toBe('integration');
    expect(
      previewLocationKind('https://git.elsewhere.example/o/r.git', config),
    ).toBe('git');
    expect(previewLocationKind('file:///srv/r.git', config)).toBe('git');
    expect(previewLocationKind('git@host:o/r.git', config)).toBe('git');
    expect(previewLocationKind('../my-repo', config)).toBe('folder');
  });
});
