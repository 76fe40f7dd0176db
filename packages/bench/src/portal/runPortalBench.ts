/**
 * Figures of the deployed portal (docs/benchmarks.md, "Portal bundle"): the backend bundle's
 * size, a replica's cold start to ready (the readiness probe's endpoint) and its idle RSS, for
 * two replicas on one PostgreSQL database against the running lab, as the Deployment runs them.
 *
 *   yarn tsc && yarn build:backend
 *   flock /tmp/cl/lab.lock yarn workspace @internal/cloudlab-bench bench:portal
 */
import fs from 'node:fs';
import { postgresConnection } from '../load/loadDatabase';
import { labCluster } from '../load/portalBackend';
import { findRepoRoot } from '../repository';
import {
  BundleProcess,
  bundlePaths,
  deploymentEnvironment,
  rssBytes,
  runDatabase,
  startBundle,
  unpackBundle,
  waitReady,
} from './portalBundle';

const IDLE_MS = 30_000;
const MiB = 1024 * 1024;

async function main() {
  const root = findRepoRoot();
  const { bundle, skeleton } = bundlePaths(root);
  const dir = unpackBundle(root, 'bench');
  const connection = postgresConnection(root);
  const database = runDatabase(
    connection,
    `cloudlab_portal_bench_${process.pid}`,
  );
  await database.create();
  const env = deploymentEnvironment({
    postgres: connection,
    database: database.name,
    cluster: labCluster(root),
  });
  const replicas: BundleProcess[] = [];
  try {
    const startMs: number[] = [];
    for (const replica of ['a', 'b']) {
      const p = await startBundle({ dir, env, name: `bench-${replica}` });
      replicas.push(p);
      startMs.push(await waitReady(p));
    }
    await new Promise(r => setTimeout(r, IDLE_MS));
    const rss = replicas.map(p => rssBytes(p.pid));
    const size = (f: string) => (fs.statSync(f).size / MiB).toFixed(1);
    console.log(
      `bundle.tar.gz: ${size(bundle)} MiB, skeleton.tar.gz: ${size(
        skeleton,
      )} MiB`,
    );
    startMs.forEach((ms, i) =>
      console.log(
        `replica ${i + 1}: cold start to ready ${(ms / 1000).toFixed(1)} s${
          i === 0 ? ' (creates the schemas)' : ' (schemas present)'
        }`,
      ),
    );
    rss.forEach((b, i) =>
      console.log(
        `replica ${i + 1}: RSS idle (${IDLE_MS / 1000} s after ready) ${(
          b / MiB
        ).toFixed(0)} MiB`,
      ),
    );
  } finally {
    await Promise.all(replicas.map(p => p.stop()));
    await database.drop();
  }
}

main().catch(e => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
