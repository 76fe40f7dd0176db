import { ChildProcess, execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** The validator binaries scripts/validate-gitops.sh builds: `gitops-validate-<hash>-go<version>`. */
const VALIDATOR_NAME = /^gitops-validate-[0-9a-f]+-go[0-9.]+$/;

/** The newest validator binary in a folder (see VALIDATOR_NAME), or undefined. */
export function newestValidatorIn(dir: string): string | undefined {
  let names: string[];
  try {
    names = fs.readdirSync(dir).filter(n => VALIDATOR_NAME.test(n));
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

/**
 * The binary `cloudlab.gitops.validatorPath` names: the file itself, or, for a folder, its newest
 * `gitops-validate-<hash>-go<version>` (the name carries the source hash, so a configuration
 * cannot spell it). Throws naming the key when it is unset or names nothing runnable.
 */
export function resolveValidator(validatorPath: string | undefined): string {
  if (!validatorPath) {
    throw new Error(
      'cloudlab.gitops.validatorPath is required by cloudlab:gitops:validate: set it to a gitops-validate binary or to the folder scripts/validate-gitops.sh builds it into',
    );
  }
  let stat: fs.Stats;
  try {
    stat = fs.statSync(validatorPath);
  } catch {
    throw new Error(
      `cloudlab.gitops.validatorPath: ${validatorPath} does not exist (build the validator: bash scripts/validate-gitops.sh)`,
    );
  }
  if (!stat.isDirectory()) return validatorPath;
  const newest = newestValidatorIn(validatorPath);
  if (!newest) {
    throw new Error(
      `cloudlab.gitops.validatorPath: folder ${validatorPath} holds no gitops-validate-<hash>-go<version> binary (build it: bash scripts/validate-gitops.sh)`,
    );
  }
  return newest;
}

/** Result of a validator run. */
export interface ValidationResult {
  ok: boolean;
  findings: string[];
  output: string;
  durationMs: number;
  /** Milliseconds per validator phase (serve mode), e.g. `kustomize-builds`, `check-lab`. */
  timings?: Record<string, number>;
}

/** What a validator run needs. */
export interface ValidatorRun {
  binary: string;
  treeRoot: string;
  crdDir: string;
  timeoutMs: number;
  /** Also rewrite generated files (the validator's `-fix`). */
  fix?: boolean;
}

const findingsOf = (output: string) =>
  output
    .split('\n')
    .filter(l => l.startsWith('ERROR '))
    .map(l => l.slice('ERROR '.length));

interface Pending {
  line: string;
  resolve(r: {
    output: string;
    findings: number;
    timings: Record<string, number>;
  }): void;
  reject(e: Error): void;
  timeoutMs: number;
}

/**
 * One long-lived `gitops-validate -serve` process per binary and CRD cache: it keeps the
 * Kubernetes OpenAPI documents and CRDs loaded and compiled (most of a one-shot run's time)
 * and renders and checks each requested tree from scratch. Requests are answered one at a
 * time; a crash or timeout kills the process and the next request starts a new one. The
 * process ends with the backend (its stdin closes).
 */
class ValidatorServer {
  private child?: ChildProcess;
  private buffer = '';
  private queue: Pending[] = [];
  private current?: Pending;
  private timer?: NodeJS.Timeout;
  /** false once the binary is known not to support -serve (an older build). */
  supported = true;

  constructor(
    private readonly binary: string,
    private readonly crdDir: string,
  ) {}

  request(
    treeRoot: string,
    fix: boolean,
    timeoutMs: number,
  ): Promise<{
    output: string;
    findings: number;
    timings: Record<string, number>;
  }> {
    return new Promise((resolve, reject) => {
      this.queue.push({
        line: `${JSON.stringify({ repo: treeRoot, fix })}\n`,
        resolve,
        reject,
        timeoutMs,
      });
      this.next();
    });
  }

  stop() {
    this.child?.kill('SIGKILL');
    this.child = undefined;
  }

  private start(): ChildProcess {
    const child = spawn(this.binary, ['-serve', '-crds', this.crdDir], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH ?? '' },
    });
    let stderr = '';
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (d: string) => {
      this.buffer += d;
      let i = this.buffer.indexOf('\n');
      while (i >= 0) {
        const line = this.buffer.slice(0, i);
        this.buffer = this.buffer.slice(i + 1);
        this.answer(line);
        i = this.buffer.indexOf('\n');
      }
    });
    child.stderr!.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString('utf8')).slice(-4000);
    });
    child.on('error', e => {
      // Not startable (absent, not executable): the one-shot run reports it.
      if (this.child !== child) return;
      this.child = undefined;
      this.supported = false;
      this.fail(e);
    });
    child.stdin!.on('error', () => undefined);
    child.on('exit', () => {
      if (this.child !== child) return;
      this.child = undefined;
      this.buffer = '';
      if (/flag provided but not defined: -serve/.test(stderr) || !stderr) {
        // An older binary, or one that is not a validator at all (a test's /bin/true).
        this.supported = false;
      }
      this.fail(
        new Error(
          `gitops-validate -serve exited: ${stderr.trim().slice(0, 2000)}`,
        ),
      );
    });
    // Never keep the backend (or a test run) alive for the validator's sake.
    child.unref();
    (child.stdin as unknown as { unref?(): void })?.unref?.();
    (child.stdout as unknown as { unref?(): void })?.unref?.();
    (child.stderr as unknown as { unref?(): void })?.unref?.();
    return child;
  }

  private next() {
    if (this.current || this.queue.length === 0) return;
    const p = this.queue.shift()!;
    this.current = p;
    if (!this.child) this.child = this.start();
    this.timer = setTimeout(() => {
      this.stop();
      this.fail(new Error(`gitops-validate timed out after ${p.timeoutMs} ms`));
    }, p.timeoutMs);
    this.timer.unref();
    this.child.stdin!.write(p.line);
  }

  private answer(line: string) {
    const p = this.current;
    if (!p) return;
    clearTimeout(this.timer);
    this.current = undefined;
    try {
      const r = JSON.parse(line) as {
        output: string;
        findings: number;
        error?: string;
        timings: Record<string, number>;
      };
      if (r.error)
        p.reject(new Error(`gitops-validate failed to run: ${r.error}`));
      else p.resolve(r);
    } catch (e) {
      p.reject(
        new Error(
          `gitops-validate -serve answered garbage: ${line.slice(0, 200)}`,
        ),
      );
    }
    this.next();
  }

  private fail(e: Error) {
    clearTimeout(this.timer);
    const p = this.current;
    this.current = undefined;
    p?.reject(e);
    this.next();
  }
}

const servers = new Map<string, ValidatorServer>();

/**
 * Stops every validator server of this process (tests; the backend's shutdown). The module
 * registers it as a shutdown hook; call it yourself where the actions run outside a backend.
 *
 * @public
 */
export function stopValidatorServers() {
  for (const s of servers.values()) s.stop();
  servers.clear();
}

/**
 * Runs the repository's validator through its long-lived serve process (same checks, same
 * output as a one-shot run), falling back to a one-shot run for a binary without `-serve`.
 */
export async function validateTree(
  opts: ValidatorRun,
): Promise<ValidationResult> {
  const key = `${opts.binary}\0${opts.crdDir}`;
  let server = servers.get(key);
  if (!server) {
    server = new ValidatorServer(opts.binary, opts.crdDir);
    servers.set(key, server);
  }
  if (!server.supported) return runValidator(opts);
  const start = Date.now();
  try {
    const r = await server.request(
      opts.treeRoot,
      Boolean(opts.fix),
      opts.timeoutMs,
    );
    const findings = findingsOf(r.output);
    return {
      ok: r.findings === 0 && findings.length === 0,
      findings,
      output: r.output,
      durationMs: Date.now() - start,
      timings: r.timings,
    };
  } catch (e) {
    if (!server.supported) return runValidator(opts);
    throw e;
  }
}

/**
 * Runs the repository's validator (the same checks as scripts/validate-gitops.sh, without the
 * fixture and third-provider proofs, which are about the validator, not the change) on a tree.
 */
export function runValidator(opts: ValidatorRun): Promise<ValidationResult> {
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
        const findings = findingsOf(stdout);
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
