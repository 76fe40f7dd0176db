import fs from 'node:fs';
import path from 'node:path';
import { copyWorkspace, mockContext, REPO_ROOT, VALIDATOR } from './workspace';
import { createActions } from '../actions';

// Run with `yarn workspace @internal/plugin-scaffolder-backend-module-gitops bench`:
// cloudlab:workload:create + cloudlab:gitops:validate against a copy of the full gitops/ tree,
// once to warm up (module load, page cache, validator binary), then timed.
const actions = createActions({
  publish: 'local',
  defaultBranch: 'main',
  repositoryRoot: REPO_ROOT,
  validatorTimeoutSeconds: 120,
});
const action = (id: string) => actions.find(a => a.id === id)!;

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
    await action('cloudlab:gitops:validate').handler(mockContext(ws, {}).ctx);
    const done = process.hrtime.bigint();
    return {
      write: Number(written - start) / 1e6,
      validate: Number(done - written) / 1e6,
    };
  } finally {
    fs.rmSync(ws, { recursive: true, force: true });
  }
}

describe('benchmark', () => {
  it('write + validate against the full gitops/ tree, warm', async () => {
    expect(VALIDATOR).toBeDefined();
    await once('warmup');
    const runs = [];
    for (let i = 0; i < 5; i++) runs.push(await once(`bench${i}`));
    const total = runs.map(r => r.write + r.validate).sort((a, b) => a - b);
    const median = total[Math.floor(total.length / 2)];
    const line = `bench cloudlab:workload:create + cloudlab:gitops:validate (${path.basename(
      REPO_ROOT,
    )}/gitops, warm, 5 runs): median ${median.toFixed(0)} ms (write ${runs
      .map(r => r.write.toFixed(0))
      .join('/')} ms, validate ${runs
      .map(r => r.validate.toFixed(0))
      .join('/')} ms)`;
    process.stdout.write(`${line}\n`);
    expect(median).toBeGreaterThan(0);
  }, 120_000);
});
