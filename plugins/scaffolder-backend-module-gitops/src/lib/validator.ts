import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/**
 * The validator binary cached by scripts/validate-gitops.sh
 * (`.cache/gitops-validate/gitops-validate-<hash>-<go>`): the newest one, or undefined.
 */
export function findValidator(
  repositoryRoot: string | undefined,
): string | undefined {
  if (!repositoryRoot) return undefined;
  const dir = path.join(repositoryRoot, '.cache', 'gitops-validate');
  let names: string[];
  try {
    names = fs
      .readdirSync(dir)
      .filter(n => /^gitops-validate-[0-9a-f]+-go[0-9.]+$/.test(n));
  } catch {
    return undefined;
  }
  const newest = names
    .map(n => ({
      p: path.join(dir, n),
      t: fs.statSync(path.join(dir, n)).mtimeMs,
    }))
    .sort((a, b) => b.t - a.t)[0];
  return newest?.p;
}

/** Result of a validator run. */
export interface ValidationResult {
  ok: boolean;
  findings: string[];
  output: string;
  durationMs: number;
}

/**
 * Runs the repository's validator (the same checks as scripts/validate-gitops.sh, without the
 * fixture and third-provider proofs, which are about the validator, not the change) on a tree.
 */
export function runValidator(opts: {
  binary: string;
  treeRoot: string;
  crdDir: string;
  timeoutMs: number;
  /** Also rewrite generated files (the validator's `-fix`). */
  fix?: boolean;
}): Promise<ValidationResult> {
  const start = Date.now();
  return new Promise((resolve, reject) => {
    execFile(
      opts.binary,
      [
        '-repo',
        opts.treeRoot,
        '-crds',
        opts.crdDir,
        ...(opts.fix ? ['-fix'] : []),
      ],
      {
        timeout: opts.timeoutMs,
        maxBuffer: 32 * 1024 * 1024,
        env: { PATH: process.env.PATH ?? '' },
      },
      (error, stdout, stderr) => {
        const output = `${stdout}${stderr}`;
        const findings = stdout
          .split('\n')
          .filter(l => l.startsWith('ERROR '))
          .map(l => l.slice('ERROR '.length));
        const code = (error as { code?: unknown } | null)?.code;
        if (error && code !== 1) {
          reject(
            new Error(
              `gitops-validate failed to run (${error.message}): ${stderr
                .trim()
                .slice(0, 2000)}`,
            ),
          );
          return;
        }
        resolve({
          ok: !error && findings.length === 0,
          findings,
          output,
          durationMs: Date.now() - start,
        });
      },
    );
  });
}
