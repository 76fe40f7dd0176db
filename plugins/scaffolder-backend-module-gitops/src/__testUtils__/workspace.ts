import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { VALIDATION_CONFIG_DIR } from '../lib/gitopsTree';
import { newestValidatorIn } from '../lib/validator';

/** The repository this package lives in (holds gitops/, providers/, catalog/). */
// Tests run from source, where __dirname is this directory.
// eslint-disable-next-line no-restricted-syntax
export const REPO_ROOT = path.resolve(__dirname, '../../../..');

/** This repository's CRD schemas (scripts/fetch-crds.sh), as app-config.yaml names them. */
export const CRD_PATH = path.join(REPO_ROOT, '.cache', 'crds');

/** The folders of this repository the tests copy as a workspace or serve as a repository. */
export const REPOSITORY_TREE = [
  'gitops',
  'providers',
  'catalog',
  VALIDATION_CONFIG_DIR,
];

/** A temporary workspace holding a real copy of REPOSITORY_TREE. */
export function copyWorkspace(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudlab-ws-'));
  for (const sub of REPOSITORY_TREE) {
    fs.cpSync(path.join(REPO_ROOT, sub), path.join(dir, sub), {
      recursive: true,
    });
  }
  return dir;
}

/** Hash of every entry (path, type, content or link target) under a directory. */
export function hashTree(dir: string): string {
  const h = crypto.createHash('sha256');
  const walk = (d: string) => {
    for (const e of fs
      .readdirSync(d, { withFileTypes: true })
      .sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(d, e.name);
      h.update(path.relative(dir, p));
      if (e.isSymbolicLink()) h.update(`L${fs.readlinkSync(p)}`);
      else if (e.isDirectory()) {
        h.update('D');
        walk(p);
      } else h.update(fs.readFileSync(p));
    }
  };
  walk(dir);
  return h.digest('hex');
}

/** A mock action context over a workspace, collecting outputs. */
export function mockContext(
  workspacePath: string,
  input: Record<string, unknown>,
  isDryRun = false,
): { ctx: any; outputs: Record<string, unknown> } {
  const outputs: Record<string, unknown> = {};
  // createMockActionContext does not pass isDryRun and output through.
  const ctx = {
    ...createMockActionContext({ workspacePath, input: input as any }),
    isDryRun,
    output: (k: string, v: unknown) => {
      outputs[k] = v;
    },
  };
  return { ctx, outputs };
}

/** The cached validator binary, if scripts/validate-gitops.sh has built it. */
export const VALIDATOR = newestValidatorIn(
  path.join(REPO_ROOT, '.cache', 'gitops-validate'),
);

const VALIDATOR_ABSENT =
  'gitops-validate binary absent from .cache/gitops-validate/ (build it: bash scripts/validate-gitops.sh)';
let absenceAnnounced = false;

/**
 * The validator binary for a test that runs it. In CI (`CI` set) its absence throws, so the run
 * fails instead of passing without validating; elsewhere it prints, once per test file, that
 * the validation is skipped and how to build the binary, and returns undefined.
 */
export function requireValidator(): string | undefined {
  if (VALIDATOR) return VALIDATOR;
  if (process.env.CI) throw new Error(`${VALIDATOR_ABSENT}; CI must build it`);
  if (!absenceAnnounced) {
    absenceAnnounced = true;
    // eslint-disable-next-line no-console
    console.warn(`${VALIDATOR_ABSENT}: skipping the validation in this file`);
  }
  return undefined;
}

/**
 * The `validatorPath` for a test that needs the validate step to run but does not test the
 * validator: the binary, or outside CI (announced by `requireValidator`) `/bin/true`, which
 * accepts every tree.
 */
export const validatorPathOrStandIn = () => requireValidator() ?? '/bin/true';

/**
 * The `describe` for tests that all run the validator (each calls `requireValidator()`): in CI
 * it always runs, so they fail when the binary is absent; elsewhere, without the binary, it is
 * `describe.skip` and `requireValidator`'s message says why.
 */
export function describeWithValidator(): jest.Describe {
  if (VALIDATOR || process.env.CI) return describe;
  requireValidator();
  return describe.skip;
}
