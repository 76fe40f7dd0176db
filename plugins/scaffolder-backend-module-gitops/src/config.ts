import { Config } from '@backstage/config';
import fs from 'node:fs';
import path from 'node:path';

/** The config path of this module, written once. */
export const GITOPS_CONFIG_KEY = 'cloudlab.gitops';
/** Default base branch of commits and pull requests. */
export const DEFAULT_BRANCH = 'main';
/** Default seconds before the validator is stopped. */
export const DEFAULT_VALIDATOR_TIMEOUT_SECONDS = 120;

/** Where a change is published. */
export type PublishMode = 'local' | 'github' | 'gitlab';

/** The module's configuration, with defaults applied. */
export interface GitopsConfig {
  publish: PublishMode;
  repoUrl?: string;
  sourceUrl?: string;
  defaultBranch: string;
  localRepository?: string;
  repositoryRoot?: string;
  validatorPath?: string;
  validatorTimeoutSeconds: number;
}

/** Finds the repository root (the directory holding `providers/` and `gitops/`) upwards. */
export function findRepositoryRoot(from: string): string | undefined {
  let dir = path.resolve(from);
  for (;;) {
    if (
      fs.existsSync(path.join(dir, 'providers')) &&
      fs.existsSync(path.join(dir, 'gitops'))
    ) {
      return dir;
    }
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** Reads `cloudlab.gitops` (see config.d.ts). Pure apart from locating the repository root. */
export function readGitopsConfig(config: Config): GitopsConfig {
  const c = config.getOptionalConfig(GITOPS_CONFIG_KEY);
  const publish = (c?.getOptionalString('publish') ?? 'local') as PublishMode;
  if (!['local', 'github', 'gitlab'].includes(publish)) {
    throw new Error(
      `${GITOPS_CONFIG_KEY}.publish must be local, github or gitlab, got ${publish}`,
    );
  }
  const configuredRoot = c?.getOptionalString('repositoryRoot');
  return {
    publish,
    repoUrl: c?.getOptionalString('repoUrl'),
    sourceUrl: c?.getOptionalString('sourceUrl'),
    defaultBranch: c?.getOptionalString('defaultBranch') ?? DEFAULT_BRANCH,
    localRepository: c?.getOptionalString('localRepository'),
    repositoryRoot: configuredRoot
      ? path.resolve(configuredRoot)
      : findRepositoryRoot(process.cwd()),
    validatorPath: c?.getOptionalString('validatorPath'),
    validatorTimeoutSeconds:
      c?.getOptionalNumber('validatorTimeoutSeconds') ??
      DEFAULT_VALIDATOR_TIMEOUT_SECONDS,
  };
}
