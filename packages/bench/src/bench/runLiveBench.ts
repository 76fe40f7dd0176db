/* eslint-disable no-console */
// Benchmark: `yarn workspace @internal/cloudlab-bench bench:live [--nodes N] [--pods N]
// [--channels N] [--iterations N]`. What the live signals (docs/adr/0503-live-pages.md) cost the
// backend per followed page, in-process on a synthetic cluster: the check at the end of a change
// window, with N entity channels followed, when nothing they read changed, when one of them
// moved, and when all moved (a node change). The publisher records the signals without sending
// them, so the figure is this plugin's part; the signals backend's fan-out over WebSockets is not
// in it. Baseline in the same process: one warm entity placement answer (memo hit, serialised bytes
// reused), the cheapest request a page makes. Prints figures; asserts nothing.
import {
  ClusterCache,
  LiveSignals,
  PlacementService,
} from '@cloudlab/plugin-multi-provider-backend/internal';
import { loadProviderRegistry } from '@cloudlab/plugin-multi-provider-node';
import {
  argNumber,
  benchEntity,
  loadLine,
  ms,
  percentile,
  quietLogger,
} from './harness';
import { findRepoRoot, registryDir } from '../repository';
import { syntheticCluster } from './syntheticCluster';

async function timeAsync(fn: () => Promise<unknown>, iterations: number) {
  const times: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p99: percentile(times, 99) };
}

async function main() {
  const nodes = argNumber('nodes', 1000);
  const podCount = argNumber('pods', 20000);
  const channels = argNumber('channels', 200);
  const iterations = argNumber('iterations', 200);
  const registry = await loadProviderRegistry(registryDir(findRepoRoot()));
  const cluster = syntheticCluster(nodes, podCount);
  // The in-memory cluster sends no bookmarks: without a long idle deadline a quiet watch would
  // turn the cluster stale mid-run (a header change every followed answer shows).
  const cache = new ClusterCache(cluster, quietLogger, {
    pageSize: 500,
    idleDeadlineMs: 600_000,
  });
  cache.start();
  while (cache.status().state !== 'synced') {
    await new Promise(r => setTimeout(r, 10));
  }
  let published = 0;
  const live = new LiveSignals({
    signals: {
      publish: async () => {
        published += 1;
      },
    },
    logger: quietLogger,
    // Windows are closed by hand below (flush), never by the timer.
    debounceMs: 60_000,
  });
  const entities = Array.from({ length: channels }, (_, i) =>
    benchEntity(`app-${i}`),
  );
  const byName = new Map(entities.map(e => [e.metadata.name, e]));
  const placement = new PlacementService(
    [cache],
    () => registry,
    {
      getEntityByRef: async (ref: { name: string }) => byName.get(ref.name),
    } as any,
    [],
    live,
  );
  const refOf = (i: number) => ({
    kind: 'component',
    namespace: 'default',
    name: `app-${i}`,
  });
  const creds = {} as any;
  // Every entity answered once: each page follows its channel.
  for (let i = 0; i < channels; i++) {
    (await placement.entityPlacementAnswer(refOf(i), creds)).json();
  }
  console.log(
    `synthetic cluster: ${cache.nodes.items.size} nodes, ${
      cache.pods.items.size
    } pods; ${live.size} channels followed (${
      podCount / 500
    } pods per entity); ${loadLine()}`,
  );

  const warm = await timeAsync(
    async () => (await placement.entityPlacementAnswer(refOf(0), creds)).json(),
    iterations,
  );
  const quiet = await timeAsync(() => live.flush(), iterations);

  // One entity's pod changes between windows: one channel moves.
  const pod = [...cache.pods.items.values()].find(
    p => p.labels?.['app.kubernetes.io/name'] === 'app-0',
  )!;
  let phase = 0;
  const oneTimes: number[] = [];
  for (let i = 0; i < iterations; i++) {
    phase += 1;
    const g = cache.generation;
    cluster.pods.upsert({
      apiVersion: 'v1',
      metadata: {
        name: pod.name,
        namespace: pod.namespace,
        labels: pod.labels,
      },
      spec: { nodeName: pod.nodeName },
      status: { phase: phase % 2 ? 'Pending' : 'Running' },
    } as any);
    while (cache.generation === g) await new Promise(r => setImmediate(r));
    const before = published;
    const t = performance.now();
    await live.flush();
    oneTimes.push(performance.now() - t);
    if (published !== before + 1) {
      throw new Error(`expected one signal, got ${published - before}`);
    }
  }
  oneTimes.sort((a, b) => a - b);
  const one = { p50: percentile(oneTimes, 50), p99: percentile(oneTimes, 99) };

  // A node changes between windows: every followed entity's version moves.
  const node = [...cache.nodes.items.values()][0];
  const allTimes: number[] = [];
  const allIterations = Math.max(10, Math.floor(iterations / 10));
  for (let i = 0; i < allIterations; i++) {
    const g = cache.generation;
    cluster.nodes.upsert({
      metadata: {
        name: node.name,
        labels: { ...node.labels, 'bench/round': String(i) },
      },
      status: { conditions: [{ type: 'Ready', status: 'True' }] },
    } as any);
    while (cache.generation === g) await new Promise(r => setImmediate(r));
    const before = published;
    const t = performance.now();
    await live.flush();
    allTimes.push(performance.now() - t);
    if (published !== before + channels) {
      throw new Error(
        `expected ${channels} signals, got ${published - before}`,
      );
    }
  }
  allTimes.sort((a, b) => a - b);
  const all = {
    p50: percentile(allTimes, 50),
    p99: percentile(allTimes, 99),
  };

  const us = (x: number) => `${(x * 1000).toFixed(1)} µs`;
  const per = (x: number) => us(x / channels);
  console.log(
    `warm entity answer (memo hit, in-process, baseline): p50 ${us(
      warm.p50,
    )}, p99 ${us(warm.p99)}`,
  );
  for (const [what, t] of [
    ['window check, nothing followed moved', quiet],
    ['window check, one entity moved (1 signal)', one],
    [`window check, a node changed (${channels} signals)`, all],
  ] as const) {
    console.log(
      `${what}: p50 ${ms(t.p50)} (${per(t.p50)} per channel, ${(
        t.p50 / warm.p50
      ).toFixed(2)}× a warm answer), p99 ${ms(t.p99)}`,
    );
  }
  live.stop();
  cache.stop();
}

main().catch(e => {
  console.error(e);
  process.exit(1);
});
