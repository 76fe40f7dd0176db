import { InputError } from '@backstage/errors';
import type { ActionContext } from '@backstage/plugin-scaffolder-node';
import path from 'node:path';
import { z, ZodTypeAny } from 'zod';
import { ChangeSet, ChangeSummary } from './ChangeSet';
import { resolveWorkspacePath } from './safePath';
import { ProviderRegistry } from '@cloudlab/plugin-multi-provider-common';
import { loadProviderRegistry } from '@cloudlab/plugin-multi-provider-node';
import { PATHS } from './gitopsTree';

/**
 * The zod object an action's callback-schema describes, rebuilt for the handler: the
 * scaffolder turns the callbacks into JSON Schema, so refinements and precise messages would be
 * lost unless the handler parses again with zod itself.
 */
export function zodObject<
  S extends Record<string, (zImpl: typeof z) => ZodTypeAny>,
>(shape: S) {
  return z
    .object(
      Object.fromEntries(Object.entries(shape).map(([k, f]) => [k, f(z)])) as {
        [K in keyof S]: ReturnType<S[K]>;
      },
    )
    .strict();
}

/** Parses input and throws an InputError naming every offending field. */
export function parseInput<T extends ZodTypeAny>(
  schema: T,
  input: unknown,
): z.infer<T> {
  const result = schema.safeParse(input);
  if (!result.success) {
    const lines = result.error.issues.map(
      i => `${i.path.length ? i.path.join('.') : 'input'}: ${i.message}`,
    );
    throw new InputError(`Invalid input: ${lines.join('; ')}`);
  }
  return result.data;
}

/** Reads the registry from the workspace copy of `providers/`. */
export async function readRegistry(
  workspacePath: string,
): Promise<ProviderRegistry> {
  const dir = await resolveWorkspacePath(
    workspacePath,
    PATHS.providers,
    'providers',
  );
  try {
    return await loadProviderRegistry(dir);
  } catch (e) {
    throw new InputError(
      `The workspace has no readable provider registry at ${
        PATHS.providers
      }/: ${(e as Error).message}`,
    );
  }
}

/**
 * Files that earlier dry-run steps of a task would have written, per workspace, kept in
 * memory only (a dry run never writes). Entries expire after DRY_RUN_TTL_MS.
 */
const dryRuns = new Map<string, { files: Map<string, string>; at: number }>();
const DRY_RUN_TTL_MS = 30 * 60 * 1000;

/** The dry-run overlay of a workspace (empty when none). */
export function dryRunOverlay(workspacePath: string): Map<string, string> {
  const now = Date.now();
  for (const [k, v] of dryRuns)
    if (now - v.at > DRY_RUN_TTL_MS) dryRuns.delete(k);
  let entry = dryRuns.get(workspacePath);
  if (!entry) {
    entry = { files: new Map(), at: now };
    dryRuns.set(workspacePath, entry);
  }
  entry.at = now;
  return entry.files;
}

/**
 * Runs a file-writing action: `stage` puts every write into a ChangeSet, then (unless dry run)
 * all writes are applied at once inside a checkpoint, and `created`/`changed` are output.
 * A failure before or during apply leaves the workspace as it was.
 */
export async function runChange(
  ctx: ActionContext<any, any>,
  key: string,
  stage: (cs: ChangeSet, registry: ProviderRegistry) => Promise<void>,
): Promise<ChangeSummary> {
  const overlay = ctx.isDryRun ? dryRunOverlay(ctx.workspacePath) : new Map();
  const cs = new ChangeSet(ctx.workspacePath, overlay);
  const registry = await readRegistry(ctx.workspacePath);
  await stage(cs, registry);
  let summary: ChangeSummary;
  if (ctx.isDryRun) {
    summary = cs.summary();
    for (const [k, v] of cs.stagedFiles()) overlay.set(k, v);
    ctx.logger.info(
      `dry run: would create ${summary.created.length} and change ${summary.changed.length} files`,
    );
  } else {
    summary = await ctx.checkpoint({
      // Per step: a template may use one action twice, and each use must run.
      key: `${key}-${ctx.step?.id ?? path.basename(ctx.workspacePath)}`,
      fn: async () => {
        const s = await cs.apply();
        return { created: s.created, changed: s.changed };
      },
    });
  }
  for (const f of summary.created) ctx.logger.info(`created ${f}`);
  for (const f of summary.changed) ctx.logger.info(`changed ${f}`);
  ctx.output('created', summary.created);
  ctx.output('changed', summary.changed);
  return summary;
}

/**
 * The action schema handed to `createTemplateAction`. Our callbacks are written against this
 * package's zod; the scaffolder calls them with its own zod (`zod/v3` of zod 4), which has the
 * same API but other type identities, so the types are erased here. Inputs are parsed again
 * in every handler with `parseInput`, so nothing relies on the erased types.
 */
export function actionSchema(
  input: Record<string, (zImpl: typeof z) => ZodTypeAny>,
  output: Record<string, (zImpl: typeof z) => ZodTypeAny>,
): { input: any; output: any } {
  return { input, output };
}
