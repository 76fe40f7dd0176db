import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import path from 'node:path';
import type { z as zod } from 'zod';
import { GitopsConfig } from '../config';
import { findValidator, runValidator } from '../lib/validator';
import { resolveWorkspacePath } from '../lib/safePath';
import { examples } from './validate.examples';
import { actionSchema, parseInput, zodObject } from './runChange';

type Z = typeof zod;

export const validateInput = {
  regenerate: (z: Z) =>
    z
      .boolean()
      .default(false)
      .describe(
        'First regenerate generated files from providers/ (the EU-region policy parameters), as `validate-gitops.sh --fix`',
      ),
  maxFindings: (z: Z) =>
    z
      .number()
      .int()
      .min(1)
      .max(500)
      .default(50)
      .describe('Findings listed in the error'),
};

/**
 * `cloudlab:gitops:validate` - runs the repository's validator (tools/gitops-validate: builds,
 * Flux references, schemas, registry rules, VSO/RBAC scoping, admission policies) on the
 * workspace tree and fails with the findings.
 */
export function createValidateAction(config: GitopsConfig) {
  return createTemplateAction({
    id: 'cloudlab:gitops:validate',
    description:
      'Validates the workspace tree with the same checks as scripts/validate-gitops.sh and fails the task with the list of violations.',
    examples,
    supportsDryRun: true,
    schema: actionSchema(validateInput, {
      findings: (z: Z) => z.array(z.string()),
      durationMs: (z: Z) => z.number(),
    }),
    async handler(ctx) {
      const input = parseInput(zodObject(validateInput), ctx.input);
      const binary =
        config.validatorPath ?? findValidator(config.repositoryRoot);
      if (!binary) {
        throw new Error(
          'cloudlab:gitops:validate: no validator binary. Build it with `bash scripts/validate-gitops.sh` ' +
            'or set cloudlab.gitops.validatorPath to a gitops-validate binary.',
        );
      }
      await resolveWorkspacePath(ctx.workspacePath, 'gitops', 'workspace');
      await resolveWorkspacePath(ctx.workspacePath, 'providers', 'workspace');
      const crdDir = path.join(
        config.repositoryRoot ?? ctx.workspacePath,
        '.cache',
        'crds',
      );
      const result = await runValidator({
        binary,
        treeRoot: ctx.workspacePath,
        crdDir,
        timeoutMs: config.validatorTimeoutSeconds * 1000,
        fix: input.regenerate && !ctx.isDryRun,
      });
      ctx.output('findings', result.findings);
      ctx.output('durationMs', result.durationMs);
      if (!result.ok) {
        const shown = result.findings.slice(0, input.maxFindings);
        throw new InputError(
          `The GitOps tree does not validate (${
            result.findings.length
          } findings):\n${shown.join('\n') || result.output.slice(-2000)}`,
        );
      }
      ctx.logger.info(`gitops tree validates (${result.durationMs} ms)`);
    },
  });
}
