/* eslint-disable no-console */
// The one harness of the placement (`bench`) and storage (`bench:storage`) benchmarks: argument
// parsing, warm-latency measurement, the running lab's cluster entry, and one Backstage backend
// running the multi-provider plugin beside the stock kubernetes backend, both configured by the
// same `kubernetes` block. Dev-only: test utilities and the stock backend stay devDependencies.
import {
  KUBERNETES_ANNOTATION,
  KUBERNETES_LABEL_SELECTOR_QUERY_ANNOTATION,
} from '@backstage/plugin-kubernetes-common';
import { PerformanceObserver } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { LoggerService } from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { Entity } from '@backstage/catalog-model';
import fs from 'node:fs';
import { AddressInfo } from 'node:net';
import os from 'node:os';
import {
  KUBERNETES_NAMESPACE_ANNOTATION,
  ClusterConfig,
  multiProviderBackend,
} from '@cloudlab/plugin-multi-provider-backend/internal';
import { labCluster as labClusterFiles } from '../load/portalBackend';
import { ms, percentile } from '../load/stats';
import { repositoryCloudlabConfig } from '../repository';

export const quietLogger: LoggerService = {
  error: () => {},
  warn: () => {},
  info: () => {},
  debug: () => {},
  child: () => quietLogger,
};

/** `--name value` from the command line. */
export function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** `--name N`, or `fallback`; a clear error when N is not a number. */
export function argNumber(name: string, fallback: number): number {
  const v = argValue(name);
  if (v === undefined) return fallback;
  if (!/^\d+$/.test(v)) throw new Error(`--${name} must be a whole number`);
  return Number(v);
}

export const hasFlag = (name: string) => process.argv.includes(`--${name}`);

export { ms, percentile };

/** The machine's load when a figure was taken (the lab and other work share 2 cores). */
export function loadLine(): string {
  return `load average ${os
    .loadavg()
    .map(v => v.toFixed(1))
    .join(' ')} (${os.cpus().length} CPUs)`;
}

/** One HTTP request of a benchmark series: what `fetch(url, init)` sends. */
export interface RequestSpec {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}

/**
 * The client of a series, run in a worker thread: its own V8 isolate and heap, so decoding the
 * answers (the stock backend's are large) is never collected inside the server's event loop
 * and never pauses the routes being measured. It sends one unmeasured request, then `iterations`
 * sequential ones, and posts the times back.
 */
const CLIENT = `
const { parentPort, workerData } = require('node:worker_threads');
const { url, init, iterations } = workerData;
(async () => {
  const t0 = performance.now();
  const first = await fetch(url, init);
  const text = await first.text();
  const firstMs = performance.now() - t0;
  const times = [];
  if (first.ok || first.status === 304) {
    for (let i = 0; i < iterations; i++) {
      const t = performance.now();
      const res = await fetch(url, init);
      await res.arrayBuffer();
      times.push(performance.now() - t);
    }
  }
  parentPort.postMessage({
    ok: first.ok,
    status: first.status,
    text,
    firstMs,
    times,
    etag: first.headers.get('etag') ?? undefined,
  });
})().catch(err => parentPort.postMessage({ error: String(err && err.stack || err) }));
`;

/**
 * Warm latency of a request: one unmeasured call (timed as `firstMs`), then `iterations`
 * sequential ones, sent by a client in a worker thread (see CLIENT). A 2xx or a 304
 * (revalidation) passes; anything else throws. Also reports this process's garbage-collection
 * pauses during the series: the server side's, which is what could stall the routes.
 */
export async function measure(
  request: RequestSpec,
  iterations: number,
): Promise<{
  p50: number;
  p99: number;
  firstMs: number;
  body: any;
  bytes: number;
  etag?: string;
  /** Garbage-collection pauses of the server's process during the series. */
  gc: { count: number; totalMs: number; maxMs: number };
}> {
  // Both backends run in this process: collect the garbage of the previous series so its
  // collection does not land in this one. Needs --expose-gc (the bench scripts pass it).
  (global as { gc?: () => void }).gc?.();
  const gc = { count: 0, totalMs: 0, maxMs: 0 };
  const observer = new PerformanceObserver(list => {
    for (const e of list.getEntries()) {
      gc.count++;
      gc.totalMs += e.duration;
      gc.maxMs = Math.max(gc.maxMs, e.duration);
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  const { url, ...init } = request;
  let result: {
    ok: boolean;
    status: number;
    text: string;
    firstMs: number;
    times: number[];
    etag?: string;
    error?: string;
  };
  try {
    result = await new Promise((resolve, reject) => {
      const worker = new Worker(CLIENT, {
        eval: true,
        workerData: { url, init, iterations },
      });
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.once('exit', code =>
        reject(new Error(`bench client exited (${code}) before answering`)),
      );
    });
  } finally {
    observer.disconnect();
  }
  if (result.error) throw new Error(`bench client: ${result.error}`);
  if (!result.ok && result.status !== 304) {
    throw new Error(`HTTP ${result.status}: ${result.text.slice(0, 300)}`);
  }
  const times = result.times.sort((a, b) => a - b);
  return {
    gc,
    p50: percentile(times, 50),
    p99: percentile(times, 99),
    firstMs: result.firstMs,
    body: result.text ? JSON.parse(result.text) : undefined,
    bytes: Buffer.byteLength(result.text),
    etag: result.etag,
  };
}

/** Times `fn` `iterations` times in-process: p50 and p99 in ms. */
export function timeSync(fn: () => void, iterations: number) {
  const times: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t = performance.now();
    fn();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p99: percentile(times, 99) };
}

/**
 * Prints what a memo miss costs per entity: `build` (answer built from the caches and serialised,
 * in-process, nothing reused) timed `iterations` times; it returns what it built in words.
 */
export function printBuildCost(
  entities: Entity[],
  build: (entity: Entity) => { what: string; json: string },
  iterations: number,
) {
  for (const entity of entities) {
    let last = { what: '', json: '' };
    const timing = timeSync(() => {
      last = build(entity);
    }, iterations);
    console.log(
      `  memo miss ${entity.metadata.name}: build + JSON of ${last.what} (${(
        last.json.length / 1024
      ).toFixed(0)} KiB) p50 ${ms(timing.p50)}  p99 ${ms(
        timing.p99,
      )} (${iterations} builds in-process)`,
    );
  }
}

export async function waitFor(
  check: () => boolean | Promise<boolean>,
  what: () => string,
  timeoutMs = 600_000,
) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what()}`);
    await new Promise(r => setTimeout(r, 5));
  }
}

/** The running lab's cluster in the kubernetes plugin's configuration shape (portal token). */
export function labCluster(root: string): ClusterConfig {
  const lab = labClusterFiles(root);
  return {
    name: 'lab',
    url: lab.url,
    serviceAccountToken: fs.readFileSync(lab.tokenFile, 'utf8').trim(),
    caData: fs.readFileSync(lab.caFile).toString('base64'),
    skipTLSVerify: false,
  };
}

/**
 * A catalog entity selecting pods as the kubernetes plugin does: by label selector (and
 * namespace) when `selector` is given, else by `backstage.io/kubernetes-id: name`.
 */
export function benchEntity(
  name: string,
  selector?: string,
  namespace?: string,
): Entity {
  const annotations: Record<string, string> = selector
    ? { [KUBERNETES_LABEL_SELECTOR_QUERY_ANNOTATION]: selector }
    : { [KUBERNETES_ANNOTATION]: name };
  if (namespace) annotations[KUBERNETES_NAMESPACE_ANNOTATION] = namespace;
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name, namespace: 'default', annotations },
    spec: { type: 'service', lifecycle: 'production', owner: 'bench' },
  };
}

/**
 * The lab's entities both benchmarks compare: the Pi-hole on Hetzner (1 pod, 1 claim), one bench
 * Deployment of `lab scale` (1,000 pods; 1,000 claims at 20 Deployments / 20,000 claims) and five
 * of them (5,000 pods and claims), selected by label selector and namespace.
 */
export function labEntities(): Entity[] {
  return [
    benchEntity(
      'pihole-hetzner',
      'app.kubernetes.io/name=pihole',
      'pihole-hetzner',
    ),
    benchEntity(
      'lab-scale-bench-0',
      'lab-scale/deployment=bench-0',
      'lab-scale',
    ),
    benchEntity(
      'lab-scale-5k',
      'lab-scale/deployment in (bench-0,bench-1,bench-2,bench-3,bench-4)',
      'lab-scale',
    ),
  ];
}

/**
 * One Backstage backend with the multi-provider plugin and the stock kubernetes backend, both
 * configured by one `kubernetes.clusterLocatorMethods` block (plus `kubernetes.objectTypes` when
 * given, as a user opting in to more object types would write it); permissions allow all; the
 * catalog holds `entities`. Waits until every multi-provider cluster is synced.
 */
export async function startBothBackends(options: {
  clusters: object[];
  entities: Entity[];
  objectTypes?: string[];
  multiProvider?: object;
  features?: any[];
  /** Which plugin route reports readiness (default: placement's cluster status). */
  ready?: (base: string) => Promise<boolean>;
}) {
  const t0 = performance.now();
  const { server } = await startTestBackend({
    features: [
      multiProviderBackend,
      import('@backstage/plugin-kubernetes-backend'),
      mockServices.rootConfig.factory({
        // The cluster entries are plain JSON; the config type wants JsonObject.
        data: {
          kubernetes: {
            serviceLocatorMethod: { type: 'multiTenant' },
            clusterLocatorMethods: [
              { type: 'config', clusters: options.clusters },
            ],
            ...(options.objectTypes
              ? { objectTypes: options.objectTypes }
              : {}),
          },
          cloudlab: repositoryCloudlabConfig(),
          multiProvider: { ...options.multiProvider },
        } as any,
      }),
      mockServices.permissions.factory({ result: AuthorizeResult.ALLOW }),
      catalogServiceMock.factory({ entities: options.entities }),
      ...(options.features ?? []),
    ],
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const ready =
    options.ready ??
    (async (b: string) => {
      const res = await fetch(`${b}/api/multi-provider/clusters`);
      const body = (await res.json()) as {
        clusters: Array<{ state: string }>;
      };
      return body.clusters.every(c => c.state === 'synced');
    });
  await waitFor(
    () => ready(base),
    () => 'multi-provider caches to sync',
  );
  console.log(
    `backend started; multi-provider caches synced ${ms(
      performance.now() - t0,
    )} after start`,
  );
  return {
    base,
    stop: async () => {
      await server.stop();
    },
  };
}

/** One row of the multi-provider vs stock comparison table. */
export function comparisonRow(
  name: string,
  count: string,
  ours: { p50: number; p99: number },
  stock: { p50: number; p99: number },
): string {
  return `${name.padEnd(22)} ${count.padEnd(11)} ${`${ms(ours.p50)} / ${ms(
    ours.p99,
  )}`.padEnd(22)} ${`${ms(stock.p50)} / ${ms(stock.p99)}`.padEnd(24)} ${`${(
    stock.p50 / ours.p50
  ).toFixed(1)}x`.padEnd(9)} ${(stock.p99 / ours.p99).toFixed(1)}x`;
}
