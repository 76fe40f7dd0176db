import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { resolveInside, TreeSource } from './TreeSource';
import { KUSTOMIZE_FILES } from './kustomizationFiles';

const run = promisify(execFile);

/**
 * The repository-relative location of the pinned kustomize the lab build installs.
 *
 * @public
 */
export const PINNED_KUSTOMIZE = '.cache/lab/bin/kustomize';

/**
 * The render command when none is configured: the pinned kustomize when it is built
 * (`.cache/lab/bin/kustomize build`), else `kubectl kustomize`, which embeds the same engine.
 *
 * @public
 */
export function defaultKustomizeCommand(repoRoot: string): string[] {
  const pinned = path.join(repoRoot, PINNED_KUSTOMIZE);
  return fs.existsSync(pinned) ? [pinned, 'build'] : ['kubectl', 'kustomize'];
}

/**
 * How a directory is rendered.
 *
 * @public
 */
export interface KustomizeOptions {
  /** argv of the render command; the directory is appended (`kustomize build`). */
  command: string[];
  /** How long one rendering may take. */
  timeoutMs?: number;
}

/**
 * A rendering that failed; the message is kustomize's own error.
 *
 * @public
 */
export class KustomizeError extends Error {
  constructor(readonly dir: string, readonly detail: string) {
    super(`kustomize build ${dir}: ${detail}`);
    this.name = 'KustomizeError';
  }
}

/**
 * Renders one directory of a tree as Flux's kustomize-controller would, as a YAML stream: with
 * kustomize when the directory has a kustomization file, else (as Flux generates one for a plain
 * directory) the directory's YAML files in name order. kustomize runs as a child process, so a
 * rendering never blocks the event loop.
 *
 * @public
 */
export async function kustomizeBuild(
  source: TreeSource,
  relDir: string,
  options: KustomizeOptions,
): Promise<string> {
  const entries = await source.list(relDir);
  if (
    !entries.some(e => e.kind === 'file' && KUSTOMIZE_FILES.includes(e.name))
  ) {
    const texts: string[] = [];
    for (const e of entries) {
      if (e.kind === 'file' && /\.ya?ml$/.test(e.name)) {
        texts.push(await source.readText(path.posix.join(relDir, e.name)));
      }
    }
    return texts.join('\n---\n');
  }
  if (!source.localRoot) {
    throw new KustomizeError(
      relDir,
      `${source.description} has no local directory to render from`,
    );
  }
  const dir = resolveInside(source.localRoot, relDir);
  const [cmd, ...args] = options.command;
  try {
    const { stdout } = await run(cmd, [...args, dir], {
      cwd: source.localRoot,
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
      timeout: options.timeoutMs ?? 60_000,
    });
    return stdout;
  } catch (err) {
    const e = err as { stderr?: string; message?: string };
    throw new KustomizeError(
      relDir,
      (e.stderr || e.message || String(err)).trim().slice(0, 1000),
    );
  }
}
