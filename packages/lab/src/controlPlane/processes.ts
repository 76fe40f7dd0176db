import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** A lab process: the binary, its arguments and where its pid and log go. */
export interface ProcessSpec {
  name: string;
  bin: string;
  args: string[];
}

function pidFile(pidsDir: string, name: string) {
  return path.join(pidsDir, `${name}.pid`);
}

/** Reads a component's pid, or undefined when no pid file exists. */
export function readPid(pidsDir: string, name: string): number | undefined {
  try {
    const pid = Number(fs.readFileSync(pidFile(pidsDir, name), 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * True when the pid is alive *and* still runs the expected binary, so a recycled pid is never
 * mistaken for (or killed as) a lab component.
 */
export function isRunning(pid: number | undefined, bin: string): boolean {
  if (!pid) return false;
  try {
    const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // A zombie (state Z) has exited; its parent just has not reaped it yet.
    const state = stat.slice(
      stat.lastIndexOf(')') + 2,
      stat.lastIndexOf(')') + 3,
    );
    return state !== 'Z' && cmdline.split('\0')[0] === bin;
  } catch {
    return false;
  }
}

/** Starts a process detached from the CLI (own session), stdout/stderr appended to its log. */
export function startDetached(
  spec: ProcessSpec,
  pidsDir: string,
  logsDir: string,
): number {
  fs.mkdirSync(pidsDir, { recursive: true });
  fs.mkdirSync(logsDir, { recursive: true });
  const log = fs.openSync(path.join(logsDir, `${spec.name}.log`), 'a');
  fs.writeSync(
    log,
    `\n=== ${new Date().toISOString()} ${spec.bin} ${spec.args.join(' ')}\n`,
  );
  const child = spawn(spec.bin, spec.args, {
    detached: true,
    stdio: ['ignore', log, log],
  });
  fs.closeSync(log);
  if (!child.pid) throw new Error(`failed to start ${spec.name}`);
  child.unref();
  fs.writeFileSync(pidFile(pidsDir, spec.name), `${child.pid}\n`);
  return child.pid;
}

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

/** Stops a component: SIGTERM to its process group, SIGKILL after the grace period. */
export async function stopProcess(
  pidsDir: string,
  name: string,
  bin: string,
  graceMs = 10_000,
): Promise<'stopped' | 'not running'> {
  const pid = readPid(pidsDir, name);
  if (!isRunning(pid, bin)) {
    fs.rmSync(pidFile(pidsDir, name), { force: true });
    return 'not running';
  }
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-pid!, sig); // the process group started with detached: true
    } catch {
      try {
        process.kill(pid!, sig);
      } catch {
        /* already gone */
      }
    }
  };
  signal('SIGTERM');
  const deadline = Date.now() + graceMs;
  while (isRunning(pid, bin) && Date.now() < deadline) await sleep(100);
  if (isRunning(pid, bin)) signal('SIGKILL');
  while (isRunning(pid, bin)) await sleep(100);
  fs.rmSync(pidFile(pidsDir, name), { force: true });
  return 'stopped';
}

/** Resident memory of a process in MiB (from /proc), or undefined when it is not running. */
export function rssMiB(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = /VmRSS:\s+(\d+) kB/.exec(status);
    return m ? Math.round(Number(m[1]) / 1024) : undefined;
  } catch {
    return undefined;
  }
}
