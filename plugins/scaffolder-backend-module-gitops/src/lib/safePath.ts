import { resolveSafeChildPath } from '@backstage/backend-plugin-api';
import { InputError, NotAllowedError } from '@backstage/errors';
import fs from 'node:fs/promises';
import path from 'node:path';

/**
 * Segments a workspace-relative path may have: ASCII letters, digits, `.`, `_`, `-`, not `.`
 * or `..`. Unicode lookalikes (`．．`, `∕`), percent-encoding and backslashes are refused
 * outright rather than normalised, so what is checked is exactly what is written.
 */
const SEGMENT = /^(?!\.{1,2}$)[A-Za-z0-9._-]{1,100}$/;

/** Why a workspace-relative path is unacceptable, or undefined when it is fine. */
export function relativePathProblem(p: string): string | undefined {
  if (p.length === 0) return 'must not be empty';
  if (p.length > 400) return 'must be at most 400 characters';
  if (p.startsWith('/') || /^[A-Za-z]:/.test(p))
    return 'must be relative to the workspace, not absolute';
  const segments = p
    .split('/')
    .filter((s, i, all) => s !== '' || i === all.length - 1);
  for (const s of segments) {
    if (s === '..') return "must not contain '..'";
    if (!SEGMENT.test(s)) {
      return `segment '${s.slice(
        0,
        40,
      )}' may only contain ASCII letters, digits, '.', '_' and '-'`;
    }
  }
  return undefined;
}

async function lstatOrUndefined(p: string) {
  try {
    return await fs.lstat(p);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/**
 * Resolves a workspace-relative path for reading or writing. Lexically checked by Backstage's
 * `resolveSafeChildPath`, then every existing component is checked on disk: a symlink is
 * accepted only as a directory component whose full resolution (through any chain) stays
 * inside the workspace; a dangling link, or a symlink as the file itself, is refused.
 */
export async function resolveWorkspacePath(
  workspacePath: string,
  rel: string,
  field = 'path',
): Promise<string> {
  const problem = relativePathProblem(rel);
  if (problem)
    throw new InputError(`${field}: '${rel.slice(0, 80)}' ${problem}`);
  const target = path.resolve(workspacePath, rel);
  const root = await fs.realpath(workspacePath);
  const parts = path
    .relative(workspacePath, target)
    .split(path.sep)
    .filter(Boolean);
  let current = workspacePath;
  for (let i = 0; i < parts.length; i++) {
    current = path.join(current, parts[i]);
    const st = await lstatOrUndefined(current);
    if (!st) break; // the rest does not exist yet and will be created as plain directories
    if (!st.isSymbolicLink()) continue;
    const shown = parts.slice(0, i + 1).join('/');
    if (i === parts.length - 1) {
      throw new NotAllowedError(
        `${field}: '${shown}' is a symlink; refusing to read or write through it`,
      );
    }
    let real: string;
    try {
      real = await fs.realpath(current);
    } catch {
      throw new NotAllowedError(`${field}: '${shown}' is a dangling symlink`);
    }
    if (real !== root && !real.startsWith(root + path.sep)) {
      throw new NotAllowedError(
        `${field}: '${shown}' is a symlink pointing outside the workspace`,
      );
    }
  }
  // Backstage's own check last, as a second guard (it also resolves symlinks).
  try {
    return resolveSafeChildPath(workspacePath, rel);
  } catch {
    throw new NotAllowedError(
      `${field}: '${rel}' resolves outside the workspace`,
    );
  }
}

/**
 * Refuses a tree that a subprocess (the validator, git) or a recursive copy is about to read:
 * every symlink under the given workspace-relative directories must resolve, through any
 * chain, to a path inside the workspace. A dangling link or a loop is refused too. Links are
 * never descended into (their targets are inside the workspace and walked there).
 */
export async function assertTreeContained(
  workspacePath: string,
  rels: readonly string[],
  field = 'workspace',
): Promise<void> {
  const root = await fs.realpath(workspacePath);
  const walk = async (abs: string, shown: string): Promise<void> => {
    let entries;
    try {
      entries = await fs.readdir(abs, { withFileTypes: true });
    } catch (e) {
      // Absent, or a file (nothing below it; resolveWorkspacePath checked the file itself).
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return;
      throw e;
    }
    for (const e of entries) {
      const child = path.join(abs, e.name);
      const childShown = `${shown}/${e.name}`;
      if (e.isSymbolicLink()) {
        let real: string;
        try {
          real = await fs.realpath(child);
        } catch {
          throw new NotAllowedError(
            `${field}: '${childShown}' is a dangling or looping symlink`,
          );
        }
        if (real !== root && !real.startsWith(root + path.sep)) {
          throw new NotAllowedError(
            `${field}: '${childShown}' is a symlink pointing outside the workspace`,
          );
        }
      } else if (e.isDirectory()) {
        await walk(child, childShown);
      }
    }
  };
  for (const rel of rels) {
    const abs = await resolveWorkspacePath(workspacePath, rel, field);
    await walk(abs, rel);
  }
}
