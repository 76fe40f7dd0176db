// Preloaded into the backend under load test (`node --require`), beside the memory reporter:
// during each phase the load generator names over the IPC channel, it measures the event loop
// from inside the process — `monitorEventLoopDelay`, GC pauses, and every window in which a
// 10 ms timer fired more than `stallMs` late, with the main thread's CPU time spent in it — while
// the V8 CPU profiler samples what ran. The profile is written to a file; the generator attributes
// the stall windows to the functions sampled in them (stallReport.ts). Nothing here runs until a
// phase starts, and the backend's code is unchanged.
import fs from 'node:fs';
import inspector from 'node:inspector';
import {
  constants,
  monitorEventLoopDelay,
  performance,
  PerformanceObserver,
} from 'node:perf_hooks';

/** Generator → backend: start measuring a phase. */
export interface ProbeStart {
  type: 'probe-start';
  phase: string;
  /** Where the phase's CPU profile is written when it stops. */
  profileFile: string;
  /** The CPU profiler's sampling interval. */
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
  /** Event-loop delay beyond the histogram's 10 ms timer, in ms. */
  loopDelay: { p50: number; p99: number; max: number; mean: number };
  gcPauses: GcPause[];
  stalls: StallWindow[];
  /** The phase's CPU profile (V8 `.cpuprofile` JSON); absent when the profiler failed. */
  profileFile?: string;
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
  timer: NodeJS.Timeout;
  profiling: Promise<void>;
}

let session: inspector.Session | undefined;
const post = <T>(method: string, params?: object) =>
  new Promise<T>((resolve, reject) =>
    session!.post(method, params, (err, result) =>
      err ? reject(err) : resolve(result as T),
    ),
  );

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
// Offset from performance.now() (ms) to the profile's clock (µs), for GC entries.
const perfToUs = () => nowUs() - performance.now() * 1000;

function startPhase(start: ProbeStart) {
  stopPhase(); // a phase left running by a failed generator is dropped
  const histogram = monitorEventLoopDelay({
    resolution: HISTOGRAM_RESOLUTION_MS,
  });
  histogram.enable();
  const gcPauses: GcPause[] = [];
  const offset = perfToUs();
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
  let lastUs = nowUs();
  let lastCpu = threadCpuMs();
  const timer = setInterval(() => {
    const us = nowUs();
    const cpu = threadCpuMs();
    const lateMs = (us - lastUs) / 1000 - TICK_MS;
    if (lateMs > start.stallMs) {
      stalls.push({ startUs: lastUs, endUs: us, lateMs, cpuMs: cpu - lastCpu });
    }
    lastUs = us;
    lastCpu = cpu;
  }, TICK_MS);
  timer.unref();
  session ??= (() => {
    const s = new inspector.Session();
    s.connect();
    return s;
  })();
  const profiling = (async () => {
    await post('Profiler.enable');
    await post('Profiler.setSamplingInterval', {
      interval: start.samplingMicros,
    });
    await post('Profiler.start');
  })();
  running = {
    start,
    startedUs: nowUs(),
    startedCpuMs: threadCpuMs(),
    histogram,
    gc,
    gcPauses,
    stalls,
    timer,
    profiling,
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

async function report(phase: string): Promise<ProbeReport> {
  const r = stopPhase();
  if (!r || r.start.phase !== phase) {
    return {
      type: 'probe-report',
      phase,
      startedUs: 0,
      stallMs: 0,
      wallMs: 0,
      cpuMs: 0,
      loopDelay: { p50: 0, p99: 0, max: 0, mean: 0 },
      gcPauses: [],
      stalls: [],
      error: `phase ${phase} was not started`,
    };
  }
  const late = (ns: number) => Math.max(0, ns / 1e6 - HISTOGRAM_RESOLUTION_MS);
  const h = r.histogram;
  const out: ProbeReport = {
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
    gcPauses: r.gcPauses,
    stalls: r.stalls,
  };
  try {
    await r.profiling;
    const { profile } = await post<{ profile: object }>('Profiler.stop');
    fs.writeFileSync(r.start.profileFile, JSON.stringify(profile));
    out.profileFile = r.start.profileFile;
  } catch (err) {
    out.error = `CPU profile: ${(err as Error).message}`;
  }
  return out;
}

if (process.send) {
  process.on('message', (m: ProbeStart | ProbeStop) => {
    if (m?.type === 'probe-start') {
      startPhase(m);
      running?.profiling.then(
        () => process.send?.({ type: 'probe-started', phase: m.phase }),
        (err: Error) =>
          process.send?.({
            type: 'probe-started',
            phase: m.phase,
            error: err.message,
          }),
      );
    } else if (m?.type === 'probe-stop') {
      report(m.phase).then(r => process.send?.(r));
    }
  });
  // The listener must not keep the backend alive on its own (the memory reporter unrefs too).
  process.channel?.unref();
}
