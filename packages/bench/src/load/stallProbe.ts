// Preloaded into the backend under load test (`node --require`), beside the memory reporter:
// during each phase the load generator names over the IPC channel, it measures the event loop
// from inside the process — `monitorEventLoopDelay`, GC pauses, and every window in which a
// 10 ms timer fired more than `stallMs` late, with the main thread's CPU time spent in it — while
// the V8 CPU profiler samples what ran. The profiler starts with the first phase and runs until
// the generator asks for the profile, because starting it costs the backend a long pause of its
// own; the phase's measurements begin only once it runs. The generator attributes the stall
// windows to the functions sampled in them (stallReport.ts). Nothing here runs until a phase
// starts, and the backend's code is unchanged.
import fs from 'node:fs';
import inspector from 'node:inspector';
import {
  constants,
  monitorEventLoopDelay,
  performance,
  PerformanceObserver,
} from 'node:perf_hooks';
import { percentile } from './stats';

/** Generator → backend: start measuring a phase (and the profiler, if it is not running). */
export interface ProbeStart {
  type: 'probe-start';
  phase: string;
  /** The CPU profiler's sampling interval (used when the profiler starts). */
  samplingMicros: number;
  /** A timer tick later than this is recorded as a stall window. */
  stallMs: number;
}

/** Backend → generator: the phase's measurements, the profiler included, are running. */
export interface ProbeStarted {
  type: 'probe-started';
  phase: string;
  error?: string;
}

/** Generator → backend: stop measuring the phase and report. */
export interface ProbeStop {
  type: 'probe-stop';
  phase: string;
}

/** Generator → backend: stop the profiler and write its profile, covering every phase. */
export interface ProbeFinish {
  type: 'probe-finish';
  profileFile: string;
}

/** Backend → generator: the profile is written (or why not). */
export interface ProbeFinished {
  type: 'probe-finished';
  profileFile?: string;
  error?: string;
}

/** A window in which the event loop did not run the probe's timer. */
export interface StallWindow {
  /** Window bounds on the CPU profile's clock (`process.hrtime`, microseconds). */
  startUs: number;
  endUs: number;
  /** How late the timer fired: the time the loop was held. */
  lateMs: number;
  /** CPU time of the main thread in the window: what the backend itself ran. */
  cpuMs: number;
}

/** A GC pause on the profile's clock. */
export interface GcPause {
  startUs: number;
  ms: number;
  kind: string;
}

/** Delay figures in milliseconds. */
export interface DelayFigures {
  p50: number;
  p99: number;
  max: number;
  mean: number;
}

/** Backend → generator: what the probe saw during one phase. */
export interface ProbeReport {
  type: 'probe-report';
  phase: string;
  /** The phase's start on the profile's clock. */
  startedUs: number;
  /** The stall threshold the phase ran with. */
  stallMs: number;
  wallMs: number;
  /** Main-thread CPU time over the phase. */
  cpuMs: number;
  /** Event-loop delay beyond the histogram's 10 ms timer (`monitorEventLoopDelay`). */
  loopDelay: DelayFigures;
  /**
   * The part of each tick's delay the backend's main thread was on the CPU for (the delay, at
   * most the CPU time it used in that tick): the delay its own work accounts for, without the
   * time the machine gave the CPU to other processes.
   */
  ownDelay: DelayFigures;
  gcPauses: GcPause[];
  stalls: StallWindow[];
  error?: string;
}

const TICK_MS = 10;
const HISTOGRAM_RESOLUTION_MS = 10;

const nowUs = () => Number(process.hrtime.bigint() / 1000n);
const threadCpuMs = () => {
  const u = process.threadCpuUsage();
  return (u.user + u.system) / 1000;
};

interface Running {
  start: ProbeStart;
  startedUs: number;
  startedCpuMs: number;
  histogram: ReturnType<typeof monitorEventLoopDelay>;
  gc: PerformanceObserver;
  gcPauses: GcPause[];
  stalls: StallWindow[];
  ownDelays: number[];
  timer: NodeJS.Timeout;
}

let session: inspector.Session | undefined;
const post = <T>(method: string, params?: object) =>
  new Promise<T>((resolve, reject) =>
    session!.post(method, params, (err, result) =>
      err ? reject(err) : resolve(result as T),
    ),
  );
let profiling: Promise<void> | undefined;

const GC_KINDS: Record<number, string> = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'scavenge',
  [constants.NODE_PERFORMANCE_GC_MINOR_MARK_SWEEP]: 'minor-mark-sweep',
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'mark-compact',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weak-callbacks',
};
const gcKind = (kind?: number) =>
  kind === undefined ? 'unknown' : GC_KINDS[kind] ?? `kind ${kind}`;

let running: Running | undefined;

function startProfiler(samplingMicros: number): Promise<void> {
  profiling ??= (async () => {
    session = new inspector.Session();
    session.connect();
    await post('Profiler.enable');
    await post('Profiler.setSamplingInterval', { interval: samplingMicros });
    await post('Profiler.start');
  })();
  return profiling;
}

function startPhase(start: ProbeStart) {
  stopPhase(); // a phase left running by a failed generator is dropped
  const histogram = monitorEventLoopDelay({
    resolution: HISTOGRAM_RESOLUTION_MS,
  });
  histogram.enable();
  const gcPauses: GcPause[] = [];
  // Offset from performance.now() (ms) to the profile's clock (µs), for GC entries.
  const offset = nowUs() - performance.now() * 1000;
  const gc = new PerformanceObserver(list => {
    for (const e of list.getEntries()) {
      const { detail } = e as { detail?: { kind?: number } };
      gcPauses.push({
        startUs: offset + e.startTime * 1000,
        ms: e.duration,
        kind: gcKind(detail?.kind),
      });
    }
  });
  gc.observe({ entryTypes: ['gc'] });
  const stalls: StallWindow[] = [];
  const ownDelays: number[] = [];
  let lastUs = nowUs();
  let lastCpu = threadCpuMs();
  const timer = setInterval(() => {
    const us = nowUs();
    const cpu = threadCpuMs();
    const lateMs = Math.max(0, (us - lastUs) / 1000 - TICK_MS);
    ownDelays.push(Math.min(lateMs, cpu - lastCpu));
    if (lateMs > start.stallMs) {
      stalls.push({ startUs: lastUs, endUs: us, lateMs, cpuMs: cpu - lastCpu });
    }
    lastUs = us;
    lastCpu = cpu;
  }, TICK_MS);
  timer.unref();
  running = {
    start,
    startedUs: nowUs(),
    startedCpuMs: threadCpuMs(),
    histogram,
    gc,
    gcPauses,
    stalls,
    ownDelays,
    timer,
  };
}

function stopPhase(): Running | undefined {
  const r = running;
  if (!r) return undefined;
  running = undefined;
  clearInterval(r.timer);
  r.histogram.disable();
  r.gc.disconnect();
  return r;
}

/** p50/p99/max/mean of `values`, in their unit. */
function delayFigures(values: number[]): DelayFigures {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1] ?? 0,
    mean: sorted.reduce((sum, v) => sum + v, 0) / Math.max(1, sorted.length),
  };
}

function report(phase: string): ProbeReport {
  const r = stopPhase();
  const none = { p50: 0, p99: 0, max: 0, mean: 0 };
  if (!r || r.start.phase !== phase) {
    return {
      type: 'probe-report',
      phase,
      startedUs: 0,
      stallMs: 0,
      wallMs: 0,
      cpuMs: 0,
      loopDelay: none,
      ownDelay: none,
      gcPauses: [],
      stalls: [],
      error: `phase ${phase} was not started`,
    };
  }
  const late = (ns: number) => Math.max(0, ns / 1e6 - HISTOGRAM_RESOLUTION_MS);
  const h = r.histogram;
  return {
    type: 'probe-report',
    phase,
    startedUs: r.startedUs,
    stallMs: r.start.stallMs,
    wallMs: (nowUs() - r.startedUs) / 1000,
    cpuMs: threadCpuMs() - r.startedCpuMs,
    loopDelay: {
      p50: late(h.percentile(50)),
      p99: late(h.percentile(99)),
      max: late(h.max),
      mean: late(h.mean),
    },
    ownDelay: delayFigures(r.ownDelays),
    gcPauses: r.gcPauses,
    stalls: r.stalls,
  };
}

async function finish(profileFile: string): Promise<ProbeFinished> {
  stopPhase();
  if (!profiling) return { type: 'probe-finished', error: 'never started' };
  try {
    await profiling;
    const { profile } = await post<{ profile: object }>('Profiler.stop');
    profiling = undefined;
    session?.disconnect();
    fs.writeFileSync(profileFile, JSON.stringify(profile));
    return { type: 'probe-finished', profileFile };
  } catch (err) {
    return { type: 'probe-finished', error: (err as Error).message };
  }
}

if (process.send) {
  process.on('message', (m: ProbeStart | ProbeStop | ProbeFinish) => {
    const send = (answer: ProbeStarted | ProbeReport | ProbeFinished) =>
      process.send?.(answer);
    if (m?.type === 'probe-start') {
      startProfiler(m.samplingMicros).then(
        () => {
          startPhase(m);
          send({ type: 'probe-started', phase: m.phase });
        },
        (err: Error) =>
          send({ type: 'probe-started', phase: m.phase, error: err.message }),
      );
    } else if (m?.type === 'probe-stop') send(report(m.phase));
    else if (m?.type === 'probe-finish') finish(m.profileFile).then(send);
  });
  // The listener must not keep the backend alive on its own (the memory reporter unrefs too).
  process.channel?.unref();
}
