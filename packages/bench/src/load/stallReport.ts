import path from 'node:path';
import type { GcPause, ProbeReport, StallWindow } from './stallProbe';
import { ms } from './stats';

/** A V8 CPU profile (`Profiler.stop`, the `.cpuprofile` format), the parts read here. */
export interface CpuProfile {
  nodes: Array<{
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
    children?: number[];
  }>;
  /** Microseconds, on the clock of `process.hrtime`. */
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Time sampled in one frame (a function and where it is defined). */
export interface FrameTime {
  frame: string;
  ms: number;
}

/**
 * Who held the loop: `backend` when the backend's main thread was on the CPU for at least half
 * of the stall (its own code, its GC); `machine` when most of the window went to other
 * processes. After the machine has kept the backend off the CPU, the requests that arrived
 * meanwhile are served in one long turn of the loop: real CPU time, but the machine's doing, and
 * such a window is mostly time off the CPU.
 */
export type StallCause = 'backend' | 'machine';

/** A stall window with what the profiler sampled in it. */
export interface AttributedStall extends StallWindow {
  /** Start, relative to the phase's start. */
  atMs: number;
  cause: StallCause;
  /** Sampled time by kind: JavaScript/native work, GC, V8's own `(program)`, idle. */
  sampled: { work: number; gc: number; program: number; idle: number };
  /** GC pauses (from the GC observer) overlapping the window. */
  gcMs: number;
  /** Self time per function, most first. */
  top: FrameTime[];
  /** The innermost frame of the repository's own code in each sample, most first. */
  ownCode: FrameTime[];
  /** One line: the repository frame that ran most, and the function it spent it in. */
  culprit: string;
}

/** What one phase of the load run looked like from inside the backend. */
export interface PhaseDiagnostics {
  phase: string;
  wallMs: number;
  cpuMs: number;
  loopDelay: ProbeReport['loopDelay'];
  ownDelay: ProbeReport['ownDelay'];
  gc: { count: number; totalMs: number; maxMs: number };
  stalls: AttributedStall[];
  profileFile?: string;
  error?: string;
}

const SPECIAL = {
  '(idle)': 'idle',
  '(garbage collector)': 'gc',
  '(program)': 'program',
} as const;

const TOP = 5;

/** `name file:line`, the file relative to `root` or as `package/…/file` inside node_modules. */
export function frameName(
  frame: { functionName: string; url: string; lineNumber: number },
  root: string,
): string {
  const name = frame.functionName || '(anonymous)';
  if (!frame.url) return name;
  const file = frame.url.replace(/^file:\/\//, '');
  let where = file;
  const nm = file.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = file.slice(nm + '/node_modules/'.length).split('/');
    const pkg = rest[0].startsWith('@') ? rest.slice(0, 2) : rest.slice(0, 1);
    where = `${pkg.join('/')}/…/${rest[rest.length - 1]}`;
  } else if (path.isAbsolute(file)) {
    where = path.relative(root, file);
  }
  return `${name} ${where}:${frame.lineNumber + 1}`;
}

/** True for a frame of the repository's own code (not a dependency, not Node's). */
export function isOwnCode(url: string, root: string): boolean {
  const file = url.replace(/^file:\/\//, '');
  return (
    path.isAbsolute(file) &&
    !path.relative(root, file).startsWith('..') &&
    !file.includes('/node_modules/')
  );
}

function ranked(times: Map<string, number>): FrameTime[] {
  return [...times]
    .sort((a, b) => b[1] - a[1])
    .slice(0, TOP)
    .map(([frame, t]) => ({ frame, ms: t }));
}

const overlapMs = (a0: number, a1: number, b0: number, b1: number) =>
  Math.max(0, Math.min(a1, b1) - Math.max(a0, b0)) / 1000;

/**
 * Attributes each stall window to the profile's samples in it. A sample stands for the time until
 * the next one (the last one for one median interval), and counts for the part of that time
 * inside the window, so a window is covered however coarse or late the sampling was.
 */
export function attributeStalls(
  profile: CpuProfile | undefined,
  stalls: StallWindow[],
  gcPauses: GcPause[],
  options: { root: string; phaseStartUs: number },
): AttributedStall[] {
  const { root } = options;
  const parent = new Map<number, number>();
  const byId = new Map<number, CpuProfile['nodes'][number]>();
  for (const n of profile?.nodes ?? []) {
    byId.set(n.id, n);
    for (const c of n.children ?? []) parent.set(c, n.id);
  }
  // Sample times, and each node's innermost repository frame (memoised up the tree).
  const times: number[] = [];
  let t = profile?.startTime ?? 0;
  for (const d of profile?.timeDeltas ?? []) times.push((t += d));
  const deltas = [...(profile?.timeDeltas ?? [])].sort((a, b) => a - b);
  const typical = deltas[Math.floor(deltas.length / 2)] ?? 0;
  const own = new Map<number, string | undefined>();
  const ownFrame = (id: number): string | undefined => {
    if (own.has(id)) return own.get(id);
    const n = byId.get(id);
    let found: string | undefined;
    if (n && isOwnCode(n.callFrame.url, root)) {
      found = frameName(n.callFrame, root);
    } else if (parent.has(id)) found = ownFrame(parent.get(id)!);
    own.set(id, found);
    return found;
  };

  return stalls.map(stall => {
    const sampled = { work: 0, gc: 0, program: 0, idle: 0 };
    const self = new Map<string, number>();
    const ownTimes = new Map<string, number>();
    const add = (m: Map<string, number>, k: string, v: number) =>
      m.set(k, (m.get(k) ?? 0) + v);
    for (let i = 0; i < times.length; i++) {
      const end = i + 1 < times.length ? times[i + 1] : times[i] + typical;
      const inWindow = overlapMs(times[i], end, stall.startUs, stall.endUs);
      if (inWindow === 0) continue;
      const node = byId.get(profile!.samples[i]);
      if (!node) continue;
      const special =
        SPECIAL[node.callFrame.functionName as keyof typeof SPECIAL];
      sampled[special ?? 'work'] += inWindow;
      if (special === 'idle') continue;
      add(self, frameName(node.callFrame, root), inWindow);
      const mine = ownFrame(node.id);
      if (mine) add(ownTimes, mine, inWindow);
    }
    const gcMs = gcPauses.reduce(
      (sum, p) =>
        sum +
        overlapMs(
          p.startUs,
          p.startUs + p.ms * 1000,
          stall.startUs,
          stall.endUs,
        ),
      0,
    );
    const top = ranked(self);
    const ownCode = ranked(ownTimes);
    return {
      ...stall,
      atMs: (stall.startUs - options.phaseStartUs) / 1000,
      cause: stall.cpuMs >= stall.lateMs / 2 ? 'backend' : 'machine',
      sampled,
      gcMs,
      top,
      ownCode,
      culprit: culprit(top, ownCode),
    };
  });
}

function culprit(top: FrameTime[], ownCode: FrameTime[]): string {
  if (top.length === 0) return 'nothing sampled (the process was not running)';
  const hot = `${top[0].frame} (${ms(top[0].ms)} self)`;
  return ownCode.length > 0
    ? `${ownCode[0].frame} (${ms(ownCode[0].ms)}) → ${hot}`
    : hot;
}

/** A phase's report from the probe and its profile → the figures printed and checked. */
export function phaseDiagnostics(
  report: ProbeReport,
  profile: CpuProfile | undefined,
  root: string,
  profileFile?: string,
): PhaseDiagnostics {
  const pauses = report.gcPauses;
  return {
    phase: report.phase,
    wallMs: report.wallMs,
    cpuMs: report.cpuMs,
    loopDelay: report.loopDelay,
    ownDelay: report.ownDelay,
    gc: {
      count: pauses.length,
      totalMs: pauses.reduce((s, p) => s + p.ms, 0),
      maxMs: Math.max(0, ...pauses.map(p => p.ms)),
    },
    stalls: attributeStalls(profile, report.stalls, pauses, {
      root,
      phaseStartUs: report.startedUs,
    }),
    profileFile,
    error: report.error,
  };
}

/** The lines the load command prints for a phase. */
export function showDiagnostics(d: PhaseDiagnostics): string[] {
  const lines = [
    `  backend event loop: delay p50 ${ms(d.loopDelay.p50)}  p99 ${ms(
      d.loopDelay.p99,
    )}  max ${ms(d.loopDelay.max)}; of it the backend's own CPU p50 ${ms(
      d.ownDelay.p50,
    )}  p99 ${ms(d.ownDelay.p99)}  max ${ms(
      d.ownDelay.max,
    )}; main thread CPU ${ms(d.cpuMs)} in ${ms(d.wallMs)}`,
    `  backend GC: ${d.gc.count} pauses, total ${ms(
      d.gc.totalMs,
    )}, longest ${ms(d.gc.maxMs)}`,
    `  backend stalls over the threshold: ${d.stalls.length}${
      d.error ? ` (probe: ${d.error})` : ''
    }`,
  ];
  for (const s of d.stalls) {
    lines.push(
      `    at ${ms(s.atMs)}: loop held ${ms(s.lateMs)}, backend CPU ${ms(
        s.cpuMs,
      )}, GC ${ms(s.gcMs)} → ${s.cause}: ${s.culprit}`,
    );
    if (s.top.length > 1) {
      lines.push(
        `      sampled: ${s.top.map(f => `${f.frame} ${ms(f.ms)}`).join('; ')}`,
      );
    }
  }
  return lines;
}
