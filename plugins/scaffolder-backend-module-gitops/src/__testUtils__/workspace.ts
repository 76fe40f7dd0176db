import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findRepositoryRoot } from '../config';
import { findValidator } from '../lib/validator';

/** The repository this package lives in (holds gitops/, providers/, catalog/). */
export const REPO_ROOT = findRepositoryRoot(process.cwd())!;

/** A temporary workspace holding a real copy of gitops/, providers/ and catalog/. */
export function copyWorkspace(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudlab-ws-'));
  for (const sub of ['gitops', 'providers', 'catalog']) {
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
export const VALIDATOR = findValidator(REPO_ROOT);
