import { execFile } from 'node:child_process';

/** Runs git with a fixed argument vector (no shell), returning stdout. */
export function git(
  args: string[],
  opts: { cwd?: string; env?: Record<string, string>; input?: string } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'git',
      args,
      {
        cwd: opts.cwd,
        maxBuffer: 64 * 1024 * 1024,
        env: {
          PATH: process.env.PATH ?? '',
          HOME: process.env.HOME ?? '/tmp',
          GIT_TERMINAL_PROMPT: '0',
          GIT_CONFIG_NOSYSTEM: '1',
          ...opts.env,
        },
      },
      (error, stdout, stderr) => {
        if (error)
          reject(
            new Error(
              `git ${args[0]} failed: ${stderr.trim() || error.message}`,
            ),
          );
        else resolve(stdout);
      },
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

/** The git directory of a repository path (bare or not). */
export async function gitDir(repo: string): Promise<string> {
  return (await git(['rev-parse', '--absolute-git-dir'], { cwd: repo })).trim();
}
