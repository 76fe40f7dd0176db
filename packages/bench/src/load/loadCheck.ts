import { ClientCounts, RequestOutcome } from './boundedClient';
import { PhaseFigures } from './pageLoads';
import { PhaseDiagnostics } from './stallReport';
import { ms } from './stats';

const MiB = 1024 * 1024;

/** Bytes of the multi-provider caches per pod the design allows (docs/benchmarks.md). */
export const CACHE_BYTES_PER_POD = 500;
/** Bytes per PersistentVolumeClaim (with its volume) the storage cache may hold. */
export const CACHE_BYTES_PER_CLAIM = 2048;

/** What the memory budget is made of; each term is printed beside the budget. */
export interface MemoryBudgetInput {
  /** The backend process with its caches synced and idle (measured in the same run). */
  idleRssBytes: number;
  idleHeapBytes: number;
  pods: number;
  claims: number;
  /** The most requests the load can have in flight (the generator's socket cap). */
  maxInFlight: number;
  /** Working memory allowed per in-flight request (its answer serialised and the objects built). */
  bytesPerInFlight: number;
}

/** A declared memory budget: RSS and V8 heap ceilings, with the terms they are made of. */
export interface MemoryBudget {
  rssBytes: number;
  heapBytes: number;
  cacheBytes: number;
  inFlightBytes: number;
}

/**
 * The backend's memory budget under load: its idle footprint (which already holds the caches),
 * plus the cache's budget again for the copies a relist may hold while it swaps (500 B per pod,
 * 2 KiB per claim), plus a working set per request in flight. RSS and heap get the same
 * allowance on top of their own idle figure.
 */
export function memoryBudget(input: MemoryBudgetInput): MemoryBudget {
  const cacheBytes =
    input.pods * CACHE_BYTES_PER_POD + input.claims * CACHE_BYTES_PER_CLAIM;
  const inFlightBytes = input.maxInFlight * input.bytesPerInFlight;
  return {
    rssBytes: input.idleRssBytes + cacheBytes + inFlightBytes,
    heapBytes: input.idleHeapBytes + cacheBytes + inFlightBytes,
    cacheBytes,
    inFlightBytes,
  };
}

/** Everything the load verdict is computed from. */
export interface LoadRun {
  idle: PhaseFigures;
  load: PhaseFigures;
  /** The load phase's client counts (requests sent and answered, sockets). */
  counts: ClientCounts;
  /** Highest RSS (the kernel's high-water mark) and heap seen during the whole run. */
  peakRssBytes: number;
  peakHeapBytes: number;
  budget: MemoryBudget;
  /** Page-load p99 under load may be at most this many times the idle p99. */
  p99Factor: number;
  /** What the backend's own probe saw in the idle and load phases (stallProbe.ts). */
  backend: PhaseDiagnostics[];
  /**
   * No stall the backend caused (on the CPU for at least half of it) may hold the loop with more
   * than this much of its own CPU time.
   */
  maxStallCpuMs: number;
  /** The event-loop delay p99 the backend's own CPU accounts for, per phase, stays under this. */
  maxLoopDelayP99Ms: number;
}

/**
 * The parts of the property, as the checker names them: p99 within the factor; no stall of the
 * backend's own making (`stall`: a window in which the backend's main thread held the event loop
 * with more CPU time than the limit) and its event-loop delay p99 in bound (`loop-delay`);
 * nothing dropped (every request answered 200), every answer correct (idle and under load),
 * memory in budget.
 */
export const LOAD_CHECKS = [
  'p99',
  'stall',
  'loop-delay',
  'dropped',
  'correct',
  'memory',
] as const;
/**
 * Checks that are figures unless asked for: the page-load p99 is measured from the generator,
 * so it also holds every pause the machine gives either process; `stall` and `loop-delay`
 * measure the same latency inside the backend and are the assertion.
 */
export const FIGURE_CHECKS: readonly LoadCheckName[] = ['p99'];
export type LoadCheckName = (typeof LOAD_CHECKS)[number];

/** A failed check: which part of the property, and a sentence naming the figure and its limit. */
export interface LoadFailure {
  check: LoadCheckName;
  message: string;
}

/** The property's checks; empty when it holds. */
export function checkLoad(run: LoadRun): LoadFailure[] {
  const failures: LoadFailure[] = [];
  const fail = (check: LoadCheckName, message: string) =>
    failures.push({ check, message });
  const { idle, load, counts } = run;
  if (idle.pages.count === 0 || load.pages.count === 0) {
    fail(
      'p99',
      `no page loads measured (idle ${idle.pages.count}, load ${load.pages.count})`,
    );
  }
  const limit = run.p99Factor * idle.pages.p99;
  if (load.pages.p99 > limit) {
    fail(
      'p99',
      `page-load p99 under load ${ms(load.pages.p99)} > ${
        run.p99Factor
      } × idle p99 ${ms(idle.pages.p99)} = ${ms(limit)}`,
    );
  }
  if (run.backend.length === 0) {
    fail('stall', 'the backend probe reported no phase');
  }
  for (const d of run.backend) {
    if (d.error) fail('stall', `${d.phase}: the probe failed: ${d.error}`);
    const own = d.stalls.filter(
      x => x.cause === 'backend' && x.cpuMs > run.maxStallCpuMs,
    );
    for (const s of own) {
      fail(
        'stall',
        `${d.phase}: the backend held its event loop ${ms(s.lateMs)} with ${ms(
          s.cpuMs,
        )} of its own CPU time (limit ${ms(run.maxStallCpuMs)}): ${s.culprit}`,
      );
    }
    if (d.ownDelay.p99 > run.maxLoopDelayP99Ms) {
      fail(
        'loop-delay',
        `${d.phase}: event-loop delay p99 of the backend's own CPU ${ms(
          d.ownDelay.p99,
        )} > ${ms(
          run.maxLoopDelayP99Ms,
        )} (all of it, the machine's share included: ${ms(d.loopDelay.p99)})`,
      );
    }
  }
  if (counts.sent !== counts.answered) {
    fail(
      'dropped',
      `${counts.sent} requests sent, ${counts.answered} answered`,
    );
  }
  const show = (list: RequestOutcome[]) =>
    list
      .slice(0, 3)
      .map(f => `${f.route}: ${(f.error ?? f.problem ?? '').slice(0, 240)}`)
      .join('; ');
  if (idle.failures.length > 0) {
    fail(
      'correct',
      `${idle.failures.length} of ${idle.requests} idle requests failed (${show(
        idle.failures,
      )})`,
    );
  }
  // Under load: a 200 with a wrong or incomplete body is incorrect; no answer or an error status is dropped.
  const wrong = load.failures.filter(f => f.status === 200);
  const lost = load.failures.filter(f => f.status !== 200);
  if (wrong.length > 0) {
    fail(
      'correct',
      `${wrong.length} of ${
        load.requests
      } answers under load were wrong (${show(wrong)})`,
    );
  }
  if (lost.length > 0) {
    fail(
      'dropped',
      `${lost.length} of ${
        load.requests
      } requests under load got no answer or an error status (${show(lost)})`,
    );
  }
  if (counts.maxOpenSockets > counts.maxSockets) {
    fail(
      'dropped',
      `the generator opened ${counts.maxOpenSockets} sockets at once, over its cap of ${counts.maxSockets}`,
    );
  }
  const mib = (b: number) => `${(b / MiB).toFixed(1)} MiB`;
  for (const [what, peak, budget] of [
    ['RSS', run.peakRssBytes, run.budget.rssBytes],
    ['heap', run.peakHeapBytes, run.budget.heapBytes],
  ] as const) {
    if (peak > budget) {
      fail('memory', `peak ${what} ${mib(peak)} > budget ${mib(budget)}`);
    }
  }
  return failures;
}
