import { fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ProbeReport, StallWindow } from './stallProbe';
import {
  attributeStalls,
  CpuProfile,
  frameName,
  isOwnCode,
  phaseDiagnostics,
  showDiagnostics,
} from './stallReport';

const root = '/repo';
const frame = (functionName: string, url = '', lineNumber = 0) => ({
  functionName,
  url,
  lineNumber,
});

/**
 * A synthetic profile sampled every millisecond from t = 1,000,000 µs: 10 ms idle, then 40 ms in
 * `readFileSync` under the Flux provider's `refresh`, 30 ms in a YAML parse under it, 20 ms of GC,
 * 10 ms of V8's `(program)`, then idle again.
 */
function profile(): CpuProfile {
  const nodes: CpuProfile['nodes'] = [
    { id: 1, callFrame: frame('(root)'), children: [2, 3, 4, 5, 8] },
    { id: 2, callFrame: frame('(idle)') },
    { id: 3, callFrame: frame('(program)') },
    { id: 4, callFrame: frame('(garbage collector)') },
    {
      id: 5,
      callFrame: frame(
        'refresh',
        'file:///repo/plugins/catalog-backend-module-flux/src/provider/FluxEntityProvider.ts',
        79,
      ),
      children: [6, 7],
    },
    { id: 6, callFrame: frame('readFileSync', 'node:fs', 440) },
    {
      id: 7,
      callFrame: frame(
        'parseDocument',
        '/repo/node_modules/yaml/dist/public-api.js',
        46,
      ),
    },
    {
      id: 8,
      callFrame: frame(
        'handle',
        '/repo/node_modules/@backstage/backend-defaults/dist/index.cjs.js',
        9,
      ),
    },
  ];
  const samples = [
    ...Array(10).fill(2),
    ...Array(40).fill(6),
    ...Array(30).fill(7),
    ...Array(20).fill(4),
    ...Array(10).fill(3),
    ...Array(50).fill(2),
  ];
  return {
    nodes,
    startTime: 1_000_000,
    endTime: 1_000_000 + samples.length * 1000,
    samples,
    // V8's first delta is from startTime to the first sample.
    timeDeltas: samples.map((_, i) => (i === 0 ? 0 : 1000)),
  };
}

const stall = (fromMs: number, toMs: number, cpuMs: number): StallWindow => ({
  startUs: 1_000_000 + fromMs * 1000,
  endUs: 1_000_000 + toMs * 1000,
  lateMs: toMs - fromMs - 10,
  cpuMs,
});

describe('attributeStalls', () => {
  it('names the repository frame and the function the stall was spent in', () => {
    const [s] = attributeStalls(profile(), [stall(10, 90, 78)], [], {
      root,
      phaseStartUs: 1_000_000,
    });
    expect(s.cause).toBe('backend');
    expect(s.atMs).toBe(10);
    expect(s.sampled).toEqual({ work: 70, gc: 10, program: 0, idle: 0 });
    expect(s.top).toEqual([
      { frame: 'readFileSync node:fs:441', ms: 40 },
      { frame: 'parseDocument yaml/…/public-api.js:47', ms: 30 },
      { frame: '(garbage collector)', ms: 10 },
    ]);
    expect(s.ownCode).toEqual([
      {
        frame:
          'refresh plugins/catalog-backend-module-flux/src/provider/FluxEntityProvider.ts:80',
        ms: 70,
      },
    ]);
    expect(s.culprit).toBe(
      'refresh plugins/catalog-backend-module-flux/src/provider/FluxEntityProvider.ts:80 (70.0 ms) → readFileSync node:fs:441 (40.0 ms self)',
    );
  });

  it('counts GC samples and GC pauses in the window, and says so when no own code ran', () => {
    const [s] = attributeStalls(
      profile(),
      [stall(80, 110, 30)],
      [
        { startUs: 1_075_000, ms: 10, kind: 'scavenge' },
        { startUs: 1_300_000, ms: 50, kind: 'mark-compact' },
      ],
      { root, phaseStartUs: 1_000_000 },
    );
    expect(s.sampled).toEqual({ work: 0, gc: 20, program: 10, idle: 0 });
    expect(s.gcMs).toBe(5);
    expect(s.ownCode).toEqual([]);
    expect(s.culprit).toBe('(garbage collector) (20.0 ms self)');
  });

  it('blames the machine when the backend was on the CPU for less than half of the stall', () => {
    const [s] = attributeStalls(undefined, [stall(200, 400, 80)], [], {
      root,
      phaseStartUs: 1_000_000,
    });
    expect(s.cause).toBe('machine');
    expect(s.culprit).toBe('nothing sampled (the process was not running)');
  });

  it('counts a coarse sample for the part of its interval inside the window', () => {
    // One sample at 1,010 ms stands for the 100 ms until the next one.
    const p: CpuProfile = {
      nodes: profile().nodes,
      startTime: 1_000_000,
      endTime: 1_200_000,
      samples: [2, 6, 2],
      timeDeltas: [0, 10_000, 100_000],
    };
    const [s] = attributeStalls(p, [stall(50, 200, 140)], [], {
      root,
      phaseStartUs: 1_000_000,
    });
    expect(s.top).toEqual([{ frame: 'readFileSync node:fs:441', ms: 60 }]);
  });
});

describe('frame names', () => {
  it('shows files relative to the repository and dependencies by package', () => {
    expect(
      frameName(
        frame('handle', '/repo/node_modules/@backstage/x/dist/index.cjs.js', 9),
        root,
      ),
    ).toBe('handle @backstage/x/…/index.cjs.js:10');
    expect(frameName(frame(''), root)).toBe('(anonymous)');
    expect(isOwnCode('file:///repo/plugins/a/src/b.ts', root)).toBe(true);
    expect(isOwnCode('/repo/node_modules/yaml/dist/a.js', root)).toBe(false);
    expect(isOwnCode('/elsewhere/a.js', root)).toBe(false);
    expect(isOwnCode('node:fs', root)).toBe(false);
  });
});

describe('phaseDiagnostics', () => {
  it('sums the GC pauses and prints every stall with its culprit', () => {
    const report: ProbeReport = {
      type: 'probe-report',
      phase: 'load',
      startedUs: 1_000_000,
      stallMs: 50,
      wallMs: 30_000,
      cpuMs: 9_000,
      loopDelay: { p50: 0.4, p99: 12, max: 85, mean: 1 },
      ownDelay: { p50: 0.2, p99: 9, max: 78, mean: 0.6 },
      gcPauses: [
        { startUs: 1_500_000, ms: 3, kind: 'scavenge' },
        { startUs: 1_600_000, ms: 9, kind: 'mark-compact' },
      ],
      stalls: [stall(10, 90, 78)],
    };
    const d = phaseDiagnostics(report, profile(), root);
    expect(d.gc).toEqual({ count: 2, totalMs: 12, maxMs: 9 });
    expect(showDiagnostics(d).join('\n')).toMatch(
      /delay p50 0\.4 ms {2}p99 12\.0 ms {2}max 85\.0 ms; of it the backend's own CPU p50 0\.2 ms {2}p99 9\.0 ms {2}max 78\.0 ms[\s\S]*2 pauses, total 12\.0 ms, longest 9\.0 ms[\s\S]*at 10\.0 ms: loop held 70\.0 ms, backend CPU 78\.0 ms, GC 0\.0 ms → backend: refresh/,
    );
  });
});

describe('the stall probe in a process', () => {
  it('reports a stall of the process own making with the function that held the loop', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stall-probe-'));
    const child = fork(path.join(__dirname, '__fixtures__/holdsTheLoop.ts'), {
      execArgv: [
        '--require',
        require.resolve('@backstage/cli/config/nodeTransform.cjs'),
        '--require',
        path.join(__dirname, 'stallProbe.ts'),
      ],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    // A child that dies fails the test at once, naming how, rather than at the timeout.
    const exited = new Promise<never>((_, reject) =>
      child.once('exit', (code, signal) =>
        reject(new Error(`the probed process exited (${code ?? signal})`)),
      ),
    );
    exited.catch(() => {});
    const next = (type: string) =>
      Promise.race([
        new Promise<any>(resolve => {
          const on = (m: { type: string }) => {
            if (m.type !== type) return;
            child.off('message', on);
            resolve(m);
          };
          child.on('message', on);
        }),
        exited,
      ]);
    try {
      const profileFile = path.join(dir, 'p.cpuprofile');
      const started = next('probe-started');
      child.send({
        type: 'probe-start',
        phase: 'idle',
        samplingMicros: 1000,
        stallMs: 50,
      });
      expect(await started).toEqual({ type: 'probe-started', phase: 'idle' });
      const held = next('held');
      child.send({ type: 'hold', cpuMs: 150 });
      await held;
      const reported = next('probe-report');
      child.send({ type: 'probe-stop', phase: 'idle' });
      const report: ProbeReport = await reported;
      const finished = next('probe-finished');
      child.send({ type: 'probe-finish', profileFile });
      expect(await finished).toEqual({ type: 'probe-finished', profileFile });
      const profileJson = JSON.parse(fs.readFileSync(profileFile, 'utf8'));
      const d = phaseDiagnostics(report, profileJson, path.resolve(__dirname));
      // The loop was held by its own CPU: the own-CPU delay shows it as the whole delay does.
      expect(d.ownDelay.max).toBeGreaterThanOrEqual(140);
      const own = d.stalls.filter(s => s.cpuMs >= 150);
      expect(own).toHaveLength(1);
      // Its cause depends on how much CPU the machine gave it meanwhile; what it ran does not.
      expect(own[0].culprit).toMatch(
        /^holdTheLoop __fixtures__\/holdsTheLoop\.ts/,
      );
      expect(d.wallMs).toBeGreaterThan(0);
    } finally {
      if (child.connected) child.disconnect();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
