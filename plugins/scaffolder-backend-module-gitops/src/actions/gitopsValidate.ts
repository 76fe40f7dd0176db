import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { z as zod } from 'zod';
import { GitopsConfig } from '../config';
import { resolveValidator, validateTree } from '../lib/validator';
import { assertTreeContained, resolveWorkspacePath } from '../lib/safePath';
import { examples } from './gitopsValidate.examples';
import {
  actionSchema,
  dryRunOverlay,
  parseInput,
  zodObject,
} from '../lib/runChange';

type Z = typeof zod;

/**
 * What the validator may read of the workspace: every entry but Git's own. Which folders it
 * actually reads (the tree, the registry) and which layers it judges are the repository's
 * validation configuration, read by the validator alone, so a template run on an adopter's
 * repository is judged on the layers that repository opts into.
 */
async function treeEntries(workspacePath: string): Promise<string[]> {
  return (await fs.readdir(workspacePath)).filter(name => name !== '.git');
}

export const gitopsValidateInput = {
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

const FAILURE_HEAD = 'The GitOps tree does not validate';

/**
 * The error this action fails a task with: a head counting the findings, then the first
 * `maxFindings` of them one per line (the validator's own output when it named none).
 */
export function validationFailureMessage(
  findings: readonly string[],
  maxFindings: number,
  output: string,
): string {
  const shown = findings.slice(0, maxFindings);
  return `${FAILURE_HEAD} (${findings.length} findings):\n${
    shown.join('\n') || output.slice(-2000)
  }`;
}

/**
 * The findings listed in a message of {@link validationFailureMessage}, for a caller that only
 * sees the failed task's error (a dry run through the scaffolder's API); undefined when the
 * message is another failure.
 */
export function findingsOfValidationFailure(
  message: string,
): string[] | undefined {
  const at = message.indexOf(FAILURE_HEAD);
  if (at < 0) return undefined;
  const [head, ...lines] = message.slice(at).split('\n');
  const count = Number(/\((\d+) findings\):$/.exec(head)?.[1] ?? 0);
  return count === 0 ? [] : lines.filter(l => l.trim() !== '');
}

/** A temporary copy of the tree with the dry-run files written into it. */
async function materialise(
  workspacePath: string,
  entries: readonly string[],
  overlay: ReadonlyMap<string, string>,
): Promise<string> {
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'cloudlab-dry-run-'));
  for (const entry of entries) {
    await fs.cp(path.join(workspacePath, entry), path.join(tmp, entry), {
      recursive: true,
    });
  }
  for (const [rel, content] of overlay) {
    const target = await resolveWorkspacePath(tmp, rel);
    await fs.mkdir(path.dirname(target), { recursive: true });
    await fs.writeFile(target, content);
  }
  return tmp;
}

/**
 * `cloudlab:gitops:validate` - runs the repository's validator (tools/gitops-validate: builds,
 * Flux references, schemas, registry rules, VSO/RBAC scoping, admission policies, conventions:
 * the layers the repository's `.cloudlab/validate.yaml` opts into) on the workspace tree and
 * fails with the findings, each naming its layer.
 */
export function createGitopsValidateAction(config: GitopsConfig) {
  return createTemplateAction({
    id: 'cloudlab:gitops:validate',
    description:
      'Validates the workspace tree with the same checks as scripts/validate-gitops.sh and fails the task with the list of violations.',
    examples,
    supportsDryRun: true,
    schema: actionSchema(gitopsValidateInput, {
      findings: (z: Z) => z.array(z.string()),
      durationMs: (z: Z) => z.number(),
      timings: (z: Z) =>
        z
          .record(z.number())
          .optional()
          .describe('Milliseconds per validator phase'),
    }),
    async handler(ctx) {
      const input = parseInput(zodObject(gitopsValidateInput), ctx.input);
      if (!config.crdPath) {
        throw new Error(
          'cloudlab.gitops.crdPath is required by cloudlab:gitops:validate: set it to the folder of CRD schemas the validator checks custom resources against',
        );
      }
      // The validator (a subprocess) reads and, with regenerate, writes the tree: no symlink
      // in it may lead outside the workspace.
      const entries = await treeEntries(ctx.workspacePath);
      await assertTreeContained(ctx.workspacePath, entries);
      // A dry run validates what earlier dry-run steps would have written: a temporary copy
      // of the tree with their files applied (the workspace itself is never written).
      const overlay = ctx.isDryRun
        ? dryRunOverlay(ctx.workspacePath)
        : new Map<string, string>();
      // Regeneration in a dry run happens in the temporary copy, never in the workspace.
      const copy = overlay.size > 0 || (ctx.isDryRun && input.regenerate);
      // Handed the workspace itself, the validator may also read Git's folder.
      if (!copy) {
        await assertTreeContained(ctx.workspacePath, ['.git']);
      }
      // Resolved per run (a folder's newest build), and only once every tree the validator
      // will read is known to be contained: resolving reads outside the workspace.
      const binary = resolveValidator(config.validatorPath);
      const crdDir = config.crdPath;
      const treeRoot = copy
        ? await materialise(ctx.workspacePath, entries, overlay)
        : ctx.workspacePath;
      const result = await validateTree({
        binary,
        treeRoot,
        crdDir,
        timeoutMs: config.validatorTimeoutSeconds * 1000,
        fix: input.regenerate && (copy || !ctx.isDryRun),
      });
      if (treeRoot !== ctx.workspacePath) {
        await fs.rm(treeRoot, { recursive: true, force: true });
      }
      ctx.output('findings', result.findings);
      ctx.output('durationMs', result.durationMs);
      if (result.timings) ctx.output('timings', result.timings);
      if (!result.ok) {
        throw new InputError(
          validationFailureMessage(
            result.findings,
            input.maxFindings,
            result.output,
          ),
        );
      }
      ctx.logger.info(`gitops tree validates (${result.durationMs} ms)`);
    },
  });
}
