import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { assertTreeContained, resolveWorkspacePath } from '../lib/safePath';
import type { z as zod } from 'zod';
import { GitopsConfig } from '../config';
import { git, gitDir } from '../lib/git';
import { examples } from './gitopsCheckout.examples';
import { COMMITTED_PATHS } from '../lib/gitopsTree';
import { actionSchema } from '../lib/runChange';

type Z = typeof zod;

const exists = (p: string) =>
  fs.stat(p).then(
    () => true,
    () => false,
  );

/**
 * Copies gitops/, providers/, catalog/ and docs/ from the dry-run request's contents (the
 * directory of the template being dry-run) into the workspace; false when it holds no tree.
 */
async function copyDryRunContents(
  baseUrl: string | undefined,
  workspacePath: string,
): Promise<boolean> {
  if (!baseUrl?.startsWith('file:')) return false;
  const dir = path.dirname(fileURLToPath(baseUrl));
  if (!(await exists(path.join(dir, 'gitops')))) return false;
  for (const p of COMMITTED_PATHS) {
    if (await exists(path.join(dir, p))) {
      // The source's links must stay inside it; the destination must not lead outside.
      await assertTreeContained(dir, [p], 'dry-run contents');
      await resolveWorkspacePath(workspacePath, p, 'workspace');
      await fs.cp(path.join(dir, p), path.join(workspacePath, p), {
        recursive: true,
        verbatimSymlinks: true,
      });
    }
  }
  return true;
}

/**
 * The local repository is created on first use as a bare clone of the configured GitOps tree
 * (`cloudlab.gitopsTree.local.path`, a Git working copy), so there is a repository to commit to (and for the lab's Flux to read) before any change was made.
 */
async function ensureLocalRepository(
  repository: string,
  sourceTree: string | undefined,
  logger: { info(m: string): void },
) {
  if (
    await fs.stat(repository).then(
      () => true,
      () => false,
    )
  )
    return;
  if (!sourceTree) {
    throw new InputError(
      `cloudlab.gitops.localRepository ${repository} does not exist, and without cloudlab.gitopsTree.local.path there is no local tree to create it from`,
    );
  }
  await fs.mkdir(path.dirname(repository), { recursive: true });
  await git([
    'clone',
    '--quiet',
    '--bare',
    '--no-local',
    sourceTree,
    repository,
  ]);
  logger.info(`created ${repository} as a bare clone of ${sourceTree}`);
}

/**
 * `cloudlab:gitops:checkout` - tells the template where the change goes (outputs `publish`,
 * `repoUrl`, `branch`) and, in local mode, fills the workspace with the local repository's
 * gitops/, providers/, catalog/ and docs/. In github/gitlab mode the template's `fetch:plain`
 * step fetches instead (its `if:` reads this step's `publish` output).
 */
export function createGitopsCheckoutAction(config: GitopsConfig) {
  return createTemplateAction({
    id: 'cloudlab:gitops:checkout',
    description:
      'Outputs the configured publish mode (local, github, gitlab); in local mode checks the GitOps tree out of cloudlab.gitops.localRepository into the workspace.',
    examples,
    supportsDryRun: true,
    schema: actionSchema(
      {},
      {
        publish: (z: Z) => z.enum(['local', 'github', 'gitlab']),
        repoUrl: (z: Z) => z.string(),
        sourceUrl: (z: Z) => z.string(),
        branch: (z: Z) => z.string(),
        taskSuffix: (z: Z) =>
          z.string().describe('Short unique suffix for change branch names'),
      },
    ),
    async handler(ctx) {
      ctx.output('publish', config.publish);
      ctx.output('repoUrl', config.repoUrl ?? '');
      ctx.output('sourceUrl', config.sourceUrl ?? '');
      ctx.output('branch', config.defaultBranch);
      ctx.output(
        'taskSuffix',
        ctx.task.id
          .replace(/[^a-z0-9]/gi, '')
          .slice(0, 8)
          .toLowerCase(),
      );
      if (config.publish !== 'local') {
        if (!config.repoUrl || !config.sourceUrl)
          throw new InputError(
            `cloudlab.gitops.repoUrl and cloudlab.gitops.sourceUrl are required when publish is ${config.publish}`,
          );
        return;
      }
      if (!config.localRepository) {
        throw new InputError(
          'cloudlab.gitops.localRepository is required when publish is local',
        );
      }
      const repository = path.resolve(config.localRepository);
      if (ctx.isDryRun) {
        // A dry run fills only its own throwaway workspace: from the tree sent with the
        // dry-run request when it holds one, else from the local repository if it exists.
        // It never creates the local repository.
        if (
          await copyDryRunContents(ctx.templateInfo?.baseUrl, ctx.workspacePath)
        ) {
          ctx.logger.info(
            'dry run: workspace filled from the dry-run contents',
          );
          return;
        }
        if (!(await exists(repository))) {
          ctx.logger.info(
            'dry run: no local repository yet; workspace left empty',
          );
          return;
        }
      } else {
        await ensureLocalRepository(repository, config.sourceTree, ctx.logger);
      }
      // git writes the tree into the workspace: nothing in it may lead outside.
      await assertTreeContained(ctx.workspacePath, COMMITTED_PATHS);
      const dir = await gitDir(repository);
      const tmp = await fs.mkdtemp(
        path.join(os.tmpdir(), 'cloudlab-checkout-'),
      );
      try {
        const ref = `refs/heads/${config.defaultBranch}`;
        const entries = await git([
          '--git-dir',
          dir,
          'ls-tree',
          '--name-only',
          ref,
        ]);
        const present = COMMITTED_PATHS.filter(p =>
          entries.split('\n').includes(p),
        );
        await git(
          [
            '--git-dir',
            dir,
            '--work-tree',
            ctx.workspacePath,
            'checkout',
            ref,
            '--',
            ...present,
          ],
          { env: { GIT_INDEX_FILE: path.join(tmp, 'index') } },
        );
      } finally {
        await fs.rm(tmp, { recursive: true, force: true });
      }
      ctx.logger.info(
        `checked out ${config.defaultBranch} of the local repository`,
      );
    },
  });
}
