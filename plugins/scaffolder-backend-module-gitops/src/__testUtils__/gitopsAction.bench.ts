import fs from 'node:fs';
import path from 'node:path';
import {
  copyWorkspace,
  mockContext,
  CRD_PATH,
  REPO_ROOT,
  VALIDATOR,
} from './workspace';
import { createActions } from '../actions';
import { runValidator, stopValidatorServers } from '../lib/validator';

// Run with `yarn workspace @cloudlab/plugin-scaffolder-backend-module-gitops bench`:
// cloudlab:workload:create + cloudlab:gitops:validate against a copy of the full gitops/ tree,
// once to warm up (module load, page cache, the validator's serve process), then timed.
// Prints median and p90 of the total and the split (write; validator phases; one-shot run).
const RUNS = Number(process.env.CLOUDLAB_BENCH_RUNS ?? 10);
const actions = createActions({
  publish: 'local',
  defaultBranch: 'main',
  sourceTree: REPO_ROOT,
  crdPath: CRD_PATH,
  validatorPath: VALIDATOR,
  validatorTimeoutSeconds: 120,
});
const action = (id: string) => actions.find(a => a.id === id)!;

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)];
};
const fmt = (xs: number[]) =>
  `median ${quantile(xs, 0.5).toFixed(0)} ms, p90 ${quantile(xs, 0.9).toFixed(
    0,
  )} ms`;

async function once(name: string) {
  const ws = copyWorkspace();
  try {
    const start = process.hrtime.bigint();
    await action('cloudlab:workload:create').handler(
      mockContext(ws, {
        name,
        providers: ['hetzner', 'scaleway'],
        image: 'ghcr.io/cloudlab/bench:1.0.0',
        port: 8080,
        storage: { size: '10Gi' },
      }).ctx,
    );
    const written = process.hrtime.bigint();
    const v = mockContext(ws, {});
    await action('cloudlab:gitops:validate').handler(v.ctx);
    const done = process.hrtime.bigint();
    return {
      write: Number(written - start) / 1e6,
      validate: Number(done - written) / 1e6,
      phases: (v.outputs.timings ?? {}) as Record<string, number>,
    };
  } finally {
    fs.rmSync(ws, { recursive: true, force: true });
  }
}

afterAll(() => stopValidatorServers());

describe('benchmark', () => {
  it('write + validate against the full gitops/ tree, warm', async () => {
    expect(VALIDATOR).toBeDefined();
    await once('warmup');
    const runs: Awaited<ReturnType<typeof once>>[] = [];
    for (let i = 0; i < RUNS; i++) runs.push(await once(`bench${i}`));
    // The same validation as a one-shot process (what every run cost before serve mode).
    const oneShot = [];
    for (let i = 0; i < Math.min(RUNS, 5); i++) {
      const r = await runValidator({
        binary: VALIDATOR!,
        treeRoot: REPO_ROOT,
        crdDir: CRD_PATH,
        timeoutMs: 120_000,
      });
      oneShot.push(r.durationMs);
    }
    // builds-run / builds-reused are counts of kustomize builds, the other phases milliseconds.
    const counts = ['builds-run', 'builds-reused'];
    const phaseNames = [...new Set(runs.flatMap(r => Object.keys(r.phases)))]
      .filter(n => n !== 'total' && !counts.includes(n))
      .sort();
    const lines = [
      `bench cloudlab:workload:create + cloudlab:gitops:validate (${path.basename(
        REPO_ROOT,
      )}/gitops, warm, ${RUNS} runs): total ${fmt(
        runs.map(r => r.write + r.validate),
      )}`,
      `  write ${fmt(runs.map(r => r.write))}`,
      `  validate (action, serve process) ${fmt(runs.map(r => r.validate))}`,
      ...phaseNames.map(
        n => `    ${n} ${fmt(runs.map(r => r.phases[n] ?? 0))}`,
      ),
      `    kustomize builds per run: ${counts
        .map(
          n =>
            `${n.slice(7)} ${quantile(
              runs.map(r => r.phases[n] ?? 0),
              0.5,
            )}`,
        )
        .join(', ')} (median)`,
      `  one-shot validator process (schemas loaded every run) ${fmt(oneShot)}`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    expect(runs.every(r => r.validate > 0)).toBe(true);
  }, 300_000);
});
