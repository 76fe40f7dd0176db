import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { z as zod } from 'zod';
import { GitopsConfig } from '../config';
import { isControlCharacter, isGitStorableText } from '../lib/fields';
import { git, gitDir } from '../lib/git';
import { COMMITTED_PATHS } from '../lib/gitopsTree';
import { assertTreeContained } from '../lib/safePath';
import { examples } from './gitCommit.examples';
import { actionSchema, parseInput, zodObject } from '../lib/runChange';

type Z = typeof zod;

/** Branch names the action accepts (a strict subset of git's). */
export const BRANCH =
  /^(?!.*\.\.)(?!.*\/\/)(?!.*@\{)[a-z0-9][a-z0-9._/-]{0,99}(?<![./])$/;

export const gitCommitInput = {
  branch: (z: Z) =>
    z
      .string()
      .regex(BRANCH, {
        message:
          "must be a branch name of lower-case letters, digits, '.', '_', '-', '/' (no '..')",
      })
      .optional()
      .describe('Branch to commit onto; default cloudlab.gitops.defaultBranch'),
  message: (z: Z) =>
    z
      .string()
      .min(1, { message: 'must not be empty' })
      .max(2000, { message: 'must be at most 2000 characters' })
      .refine(s => ![...s].some(isControlCharacter), {
        message: 'must not contain control characters (NUL included)',
      })
      .refine(isGitStorableText, {
        message:
          'must be well-formed Unicode without noncharacters (U+FDD0–U+FDEF, U+xFFFE, U+xFFFF), which git cannot store as given',
      })
      .describe('Commit message'),
  author: (z: Z) =>
    z
      .string()
      .regex(/^(?=.*[A-Za-z0-9])[A-Za-z0-9 ._-]{1,80}$/, {
        message:
          "must be a plain name: letters, digits, ' ', '.', '_', '-', with at least one letter or digit",
      })
      .default('Cloudlab Scaffolder'),
};

/** Environment that isolates git from the backend's index and identity. */
function commitEnv(index: string, author: string) {
  return {
    GIT_INDEX_FILE: index,
    GIT_AUTHOR_NAME: author,
    GIT_AUTHOR_EMAIL: 'scaffolder@cloudlab.invalid',
    GIT_COMMITTER_NAME: 'Cloudlab Scaffolder',
    GIT_COMMITTER_EMAIL: 'scaffolder@cloudlab.invalid',
  };
}

/**
 * Git keeps refs as paths: a new branch `a` cannot exist beside `a/b`, nor `a/b` beside `a`. Asked
 * before anything is written, so the person reads which branch is in the way, not git's lock error.
 */
async function assertBranchNameFree(dir: string, branch: string) {
  const below = (
    await git([
      '--git-dir',
      dir,
      'for-each-ref',
      '--count=1',
      '--format=%(refname:short)',
      `refs/heads/${branch}/`,
    ])
  ).trim();
  const parts = branch.split('/');
  let above = '';
  for (let i = 1; i < parts.length && !above; i++) {
    const prefix = parts.slice(0, i).join('/');
    const exists = await git([
      '--git-dir',
      dir,
      'rev-parse',
      '--verify',
      '--quiet',
      `refs/heads/${prefix}`,
    ]).then(
      () => true,
      () => false,
    );
    if (exists) above = prefix;
  }
  const blocker = below || above;
  if (blocker)
    throw new InputError(
      `Invalid input: branch: '${branch}' cannot be created while branch '${blocker}' exists (git stores a branch and its sub-branches as a file and a folder)`,
    );
}

/**
 * Commits the workspace's gitops/, providers/, catalog/ and docs/ onto a branch of the local
 * repository (`cloudlab.gitops.localRepository`), with plumbing and a private index so the
 * repository's working tree and index are never touched. A tree identical to the branch head
 * makes no commit (idempotent).
 */
export async function commitWorkspace(opts: {
  repository: string;
  workspacePath: string;
  branch: string;
  baseBranch: string;
  message: string;
  author: string;
}): Promise<{ commit: string; created: boolean }> {
  const dir = await gitDir(opts.repository);
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'cloudlab-git-'));
  const env = commitEnv(path.join(tmp, 'index'), opts.author);
  try {
    const branchRef = `refs/heads/${opts.branch}`;
    const head = (
      await git([
        '--git-dir',
        dir,
        'rev-parse',
        '--verify',
        '--quiet',
        branchRef,
      ]).catch(() => '')
    ).trim();
    if (!head) await assertBranchNameFree(dir, opts.branch);
    const parent =
      head ||
      (
        await git([
          '--git-dir',
          dir,
          'rev-parse',
          '--verify',
          `refs/heads/${opts.baseBranch}`,
        ])
      ).trim();
    await git(['--git-dir', dir, 'read-tree', parent], { env });
    // git reads the tree: no symlink in it may lead outside the workspace.
    await assertTreeContained(opts.workspacePath, COMMITTED_PATHS);
    const present: string[] = [];
    for (const p of COMMITTED_PATHS) {
      if (
        await fs.stat(path.join(opts.workspacePath, p)).then(
          () => true,
          () => false,
        )
      )
        present.push(p);
    }
    await git(
      [
        '--git-dir',
        dir,
        '--work-tree',
        opts.workspacePath,
        'add',
        '--all',
        '--',
        ...present,
      ],
      {
        env,
        cwd: opts.workspacePath,
      },
    );
    const tree = (await git(['--git-dir', dir, 'write-tree'], { env })).trim();
    const parentTree = (
      await git(['--git-dir', dir, 'rev-parse', `${parent}^{tree}`])
    ).trim();
    if (tree === parentTree) return { commit: parent, created: false };
    const commit = (
      await git(
        ['--git-dir', dir, 'commit-tree', tree, '-p', parent, '-F', '-'],
        { env, input: opts.message },
      )
    ).trim();
    await git(['--git-dir', dir, 'update-ref', branchRef, commit, head || '']);
    return { commit, created: true };
  } finally {
    await fs.rm(tmp, { recursive: true, force: true });
  }
}

/** `cloudlab:git:commit` - the local publish step: a commit on the lab's Git repository. */
export function createGitCommitAction(config: GitopsConfig) {
  return createTemplateAction({
    id: 'cloudlab:git:commit',
    description:
      'Commits the workspace GitOps change onto a branch of the local Git repository configured at cloudlab.gitops.localRepository (the lab publish step).',
    examples,
    supportsDryRun: true,
    schema: actionSchema(gitCommitInput, {
      commit: (z: Z) => z.string(),
      branch: (z: Z) => z.string(),
      url: (z: Z) => z.string().describe('file:// URL of the local repository'),
      created: (z: Z) =>
        z.boolean().describe('false when the branch already held this tree'),
    }),
    async handler(ctx) {
      const input = parseInput(zodObject(gitCommitInput), ctx.input);
      if (!config.localRepository) {
        throw new InputError(
          'cloudlab:git:commit needs cloudlab.gitops.localRepository in the app config',
        );
      }
      const branch = input.branch ?? config.defaultBranch;
      if (ctx.isDryRun) {
        ctx.logger.info(
          `dry run: would commit to ${branch} of the local repository`,
        );
        ctx.output('commit', '');
        ctx.output('branch', branch);
        ctx.output('created', false);
        ctx.output('url', `file://${path.resolve(config.localRepository)}`);
        return;
      }
      const result = await ctx.checkpoint({
        key: `cloudlab-git-commit-${ctx.step?.id ?? ''}-${branch}`,
        fn: () =>
          commitWorkspace({
            repository: path.resolve(config.localRepository!),
            workspacePath: ctx.workspacePath,
            branch,
            baseBranch: config.defaultBranch,
            message: input.message,
            author: input.author,
          }),
      });
      ctx.logger.info(
        result.created
          ? `committed ${result.commit} to ${branch}`
          : `${branch} already holds this change`,
      );
      ctx.output('commit', result.commit);
      ctx.output('branch', branch);
      ctx.output('created', result.created);
      ctx.output('url', `file://${path.resolve(config.localRepository)}`);
    },
  });
}
