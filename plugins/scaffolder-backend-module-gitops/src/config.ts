import { Config } from '@backstage/config';
import { readGitopsTreeConfig } from '@cloudlab/plugin-multi-provider-node';
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
  /**
   * The GitOps tree (`cloudlab.gitopsTree.local.path`) a missing local repository is first
   * cloned from; absent when the tree is not a local folder (`url`, `flux`), and then a missing
   * local repository is an error of the checkout action, naming the key.
   */
  sourceTree?: string;
  /** A gitops-validate binary, or a folder whose newest `gitops-validate-*` is used (absolute). */
  validatorPath?: string;
  /** The CRD schemas the validator checks custom resources against (absolute). */
  crdPath?: string;
  validatorTimeoutSeconds: number;
}

/** The local folder of `cloudlab.gitopsTree`, when the tree is one. */
function localTree(config: Config, cwd: string): string | undefined {
  if (!config.has('cloudlab.gitopsTree')) return undefined;
  const { source } = readGitopsTreeConfig(config, cwd);
  return source.type === 'local' ? source.path : undefined;
}

/**
 * Reads `cloudlab.gitops` (see config.d.ts) and, when set, the suite's shared
 * `cloudlab.gitopsTree` (validated by `-node`'s one reader). Relative paths are resolved
 * against `cwd`, the backend's working directory.
 */
export function readGitopsConfig(
  config: Config,
  cwd: string = process.cwd(),
): GitopsConfig {
  const c = config.getOptionalConfig(GITOPS_CONFIG_KEY);
  const publish = (c?.getOptionalString('publish') ?? 'local') as PublishMode;
  if (!['local', 'github', 'gitlab'].includes(publish)) {
    throw new Error(
      `${GITOPS_CONFIG_KEY}.publish must be local, github or gitlab, got ${publish}`,
    );
  }
  const resolved = (key: string) => {
    const value = c?.getOptionalString(key);
    return value === undefined ? undefined : path.resolve(cwd, value);
  };
  return {
    publish,
    repoUrl: c?.getOptionalString('repoUrl'),
    sourceUrl: c?.getOptionalString('sourceUrl'),
    defaultBranch: c?.getOptionalString('defaultBranch') ?? DEFAULT_BRANCH,
    localRepository: c?.getOptionalString('localRepository'),
    sourceTree: localTree(config, cwd),
    validatorPath: resolved('validatorPath'),
    crdPath: resolved('crdPath'),
    validatorTimeoutSeconds:
      c?.getOptionalNumber('validatorTimeoutSeconds') ??
      DEFAULT_VALIDATOR_TIMEOUT_SECONDS,
  };
}
