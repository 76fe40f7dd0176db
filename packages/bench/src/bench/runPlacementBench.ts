/* eslint-disable no-console */
// Benchmark: `yarn workspace @internal/cloudlab-bench bench [--nodes N] [--pods N]
// [--kubeconfig path] [--lab] [--iterations N]`. Prints figures (cold sync, cache bytes/pod, route
// latency); asserts nothing. `--lab` reads the running lab (.cache/lab: URL, CA, portal token) and
// also measures the stock kubernetes backend's workloads query for the same entities in the same
// run and process (both plugins in one startTestBackend, configured by one `kubernetes` block).
import { KUBERNETES_ANNOTATION } from '@backstage/plugin-kubernetes-common';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import {
  kubeList,
  ClusterCache,
  connectCluster,
  kubeConfigFor,
  placementRoutes,
  PlacementService,
  entityPodQuery,
  CostService,
  costRoutes,
} from '@cloudlab/plugin-multi-provider-backend/internal';
import {
  ClusterConnection,
  loadProviderRegistry,
} from '@cloudlab/plugin-multi-provider-node';
import express from 'express';
import { AddressInfo } from 'net';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import {
  argNumber,
  argValue,
  benchEntity,
  hasFlag,
  labCluster,
  labEntities,
  loadLine,
  measure,
  RequestSpec,
  ms,
  printBuildCost,
  quietLogger,
  startBothBackends,
} from './harness';
import { findRepoRoot, registryDir } from '../repository';
import { syntheticCluster } from './syntheticCluster';

/** Cost answers in the bench never warn about price age: the figures are about time. */
const BENCH_MAX_PRICE_AGE_MS = Number.MAX_SAFE_INTEGER;

/**
 * Cold sync and cache size of a fresh ClusterCache. Memory is the heap the cache retains: heap
 * with the cache synced minus heap after dropping its objects (so client and TLS set-up, loaded
 * once per process, are not charged to the pods).
 */
async function coldCache(connection: ClusterConnection) {
  const cache = new ClusterCache(connection, quietLogger, { pageSize: 500 });
  const t0 = performance.now();
  cache.start();
  while (cache.status().state !== 'synced') {
    if (cache.status().state === 'error')
      throw new Error(cache.status().lastError);
    await new Promise(r => setTimeout(r, 5));
  }
  const coldSyncMs = performance.now() - t0;
  const pods = [...cache.pods.items.values()];
  const jsonBytes = pods.reduce((n, p) => n + JSON.stringify(p).length, 0);
  const podCount = pods.length;
  pods.length = 0;
  const perPod = (n: number) => (n / Math.max(1, podCount)).toFixed(0);
  console.log(
    `cluster ${connection.name}: ${cache.nodes.items.size} nodes, ${podCount} pods`,
  );
  console.log(`cold sync (paginated list, page 500): ${ms(coldSyncMs)}`);
  return {
    cache,
    podCount,
    /** Prints the cache's retained heap per pod, then empties the cache (call last). */
    reportMemory() {
      global.gc?.();
      const withCache = process.memoryUsage().heapUsed;
      cache.stop();
      const keys = [...cache.pods.items.keys()];
      for (const k of keys) {
        const prev = cache.pods.items.get(k);
        cache.pods.items.delete(k);
        cache.podIndex.update(k, prev, undefined);
      }
      global.gc?.();
      const without = process.memoryUsage().heapUsed;
      console.log(
        `cache: ${perPod(jsonBytes)} bytes/pod as JSON, ${perPod(
          withCache - without,
        )} bytes/pod retained heap (slim objects + pod index)${
          global.gc ? '' : ' (run with --expose-gc for a real heap figure)'
        }`,
      );
    },
  };
}

/**
 * The cold sync's pod list alone, pages of 500, two ways in the same run: as plain JSON (what the
 * caches read) and through client-node's typed `listPodForAllNamespaces`, which converts every
 * field of every pod through its model serialiser: the baseline that shows what plain JSON saves.
 */
async function podListBaseline(kc: KubeConfig) {
  const timed = async (
    page: (cont?: string) => Promise<{ n: number; cont?: string }>,
  ) => {
    const t0 = performance.now();
    let pods = 0;
    let cont: string | undefined;
    do {
      const p = await page(cont);
      pods += p.n;
      cont = p.cont;
    } while (cont);
    return { ms: performance.now() - t0, pods };
  };
  const core = kc.makeApiClient(CoreV1Api);
  const typed = await timed(async cont => {
    const r = await core.listPodForAllNamespaces({
      limit: 500,
      _continue: cont,
    });
    return { n: r.items.length, cont: r.metadata?._continue || undefined };
  });
  const plain = await timed(async cont => {
    const r = await kubeList(kc, '/api/v1/pods', {
      limit: '500',
      ...(cont ? { continue: cont } : {}),
    });
    return { n: r.items.length, cont: r.metadata?.continue || undefined };
  });
  console.log(
    `pod list alone (${plain.pods} pods, pages of 500): plain JSON ${ms(
      plain.ms,
    )}, client-node typed ${ms(typed.ms)} (${typed.pods} pods): ${(
      typed.ms / Math.max(plain.ms, 1e-9)
    ).toFixed(1)}× faster`,
  );
}

/** Our routes on a bare express app over one cache (synthetic or kubeconfig mode). */
async function benchRoutes(
  cache: ClusterCache,
  entityName: string,
  iterations: number,
) {
  const registry = await loadProviderRegistry(registryDir());
  const entity = benchEntity(entityName);
  const catalog = { getEntityByRef: async () => entity } as any;
  const placement = new PlacementService([cache], () => registry, catalog);
  // The cost routes sit beside the placement routes, over the same cache.
  const cost = new CostService([cache], [], () => registry, catalog, {
    maxPriceAgeMs: BENCH_MAX_PRICE_AGE_MS,
  });
  const auth = {
    httpAuth: { credentials: async () => ({}) } as any,
    permissions: {
      authorize: async () => [{ result: AuthorizeResult.ALLOW }],
    } as any,
  };
  const app = express()
    .use(placementRoutes({ ...auth, placement }))
    .use(costRoutes({ ...auth, cost }));
  const server = app.listen(0);
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await printRouteLatencies(
    [
      [
        'GET entity placement',
        { url: `${base}/entity/default/component/${entityName}/placement` },
      ],
      ...platformRoutes(base),
      ['GET platform cost', { url: `${base}/platform/cost` }],
      [
        'GET entity cost',
        { url: `${base}/entity/default/component/${entityName}/cost` },
      ],
    ],
    iterations,
  );
  await printPlacementBuildCost([cache], [entity], iterations);
  printCostBuildCost(cache, registry, catalog);
  server.close();
}

/**
 * What a platform cost memo miss costs (any node or pod changed): the whole answer built from
 * the cache and serialised, by a fresh service each time.
 */
function printCostBuildCost(
  cache: ClusterCache,
  registry: Awaited<ReturnType<typeof loadProviderRegistry>>,
  catalog: any,
) {
  const times: number[] = [];
  let bytes = 0;
  for (let i = 0; i < 5; i++) {
    const service = new CostService([cache], [], () => registry, catalog, {
      maxPriceAgeMs: BENCH_MAX_PRICE_AGE_MS,
    });
    const start = performance.now();
    bytes = JSON.stringify(
      service.buildPlatformCost(registry, new Date()),
    ).length;
    times.push(performance.now() - start);
  }
  console.log(
    `platform cost cold build  first ${ms(times[0])}  best ${ms(
      Math.min(...times),
    )}  (${cache.nodes.items.size} nodes, ${
      cache.pods.items.size
    } pods, ${Math.round(bytes / 1024)} KiB)`,
  );
}

/** The platform routes under `base` (the plugin's route root). */
function platformRoutes(base: string): Array<[string, RequestSpec]> {
  return [
    ['GET platform placement', { url: `${base}/platform/placement` }],
    [
      'POST failure-domain',
      {
        url: `${base}/platform/failure-domain`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ level: 'provider', name: 'hetzner' }),
      },
    ],
    ['GET clusters', { url: `${base}/clusters` }],
  ];
}

/** Warm p50/p99 of each named request, sequential, a line each. */
async function printRouteLatencies(
  routes: Array<[string, RequestSpec]>,
  iterations: number,
) {
  for (const [name, request] of routes) {
    const r = await measure(request, iterations);
    console.log(
      `${name.padEnd(24)} p50 ${ms(r.p50)}  p99 ${ms(
        r.p99,
      )}  (${iterations} warm calls)`,
    );
  }
}

/**
 * What a memo miss costs (a change to one of the entity's pods, or a node): the answer built and
 * serialised from the cache, in-process, by a fresh service each time so nothing is reused.
 */
async function printPlacementBuildCost(
  caches: ClusterCache[],
  entities: Entity[],
  iterations: number,
) {
  const registry = await loadProviderRegistry(registryDir());
  const service = new PlacementService(caches, () => registry, {} as any);
  printBuildCost(
    entities,
    entity => {
      const answer = service.buildEntityPlacement(
        stringifyEntityRef(entity),
        entityPodQuery(entity)!,
        registry,
      );
      const pods = answer.clusters.reduce((n, c) => n + c.podCount, 0);
      return { what: `${pods} pods`, json: JSON.stringify(answer) };
    },
    iterations,
  );
}

/** One entity's answer on one backend: the first call after start, then warm calls. */
interface EntityFigures {
  /** The first call: for multi-provider a memo miss over the synced cache, for stock a fan-out. */
  cold: number;
  p50: number;
  p99: number;
  pods: number;
}

/** stock / ours, as `N.Nx`. */
const ratio = (stock: number, ours: number) => `${(stock / ours).toFixed(1)}x`;

/**
 * One backend with both plugins configured by the same cluster block, the stock one with
 * `objectTypes` when given (its defaults otherwise); every entity through
 * `GET /api/multi-provider/entity/.../placement` and
 * `POST /api/kubernetes/resources/workloads/query`, cold and warm. Prints one row per entity.
 */
async function compareOnOneBackend(
  cluster: ReturnType<typeof labCluster>,
  entities: Entity[],
  iterations: number,
  objectTypes: string[] | undefined,
  notes: string[],
) {
  const { base, stop } = await startBothBackends({
    clusters: [{ ...cluster, authProvider: 'serviceAccount' }],
    entities,
    objectTypes,
  });
  const figures = new Map<
    string,
    { ours: EntityFigures; stock: EntityFigures }
  >();
  console.log(
    `${'entity'.padEnd(20)} ${'pods ours/stock'.padEnd(
      16,
    )} ${'multi-provider cold | p50 / p99'.padEnd(
      32,
    )} ${'stock cold | p50 / p99'.padEnd(30)} ratio cold | p50 | p99`,
  );
  for (const entity of entities) {
    const name = entity.metadata.name;
    const url = `${base}/api/multi-provider/entity/default/component/${name}/placement`;
    const ours = await measure({ url }, iterations);
    const stock = await measure(
      {
        url: `${base}/api/kubernetes/resources/workloads/query`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          entityRef: `component:default/${name}`,
          auth: {},
        }),
      },
      iterations,
    );
    const stockItem = (
      stock.body as {
        items: Array<{
          errors: unknown[];
          resources: Array<{ type: string; resources: unknown[] }>;
        }>;
      }
    ).items[0];
    if (stockItem?.errors.length) {
      notes.push(
        `  ${name} stock errors: ${JSON.stringify(stockItem.errors).slice(
          0,
          300,
        )}`,
      );
    }
    const row = {
      ours: {
        cold: ours.firstMs,
        p50: ours.p50,
        p99: ours.p99,
        pods: (ours.body as { clusters: Array<{ podCount: number }> })
          .clusters[0].podCount,
      },
      stock: {
        cold: stock.firstMs,
        p50: stock.p50,
        p99: stock.p99,
        pods:
          stockItem?.resources.find(r => r.type === 'pods')?.resources.length ??
          0,
      },
    };
    figures.set(name, row);
    const coldWarm = (f: EntityFigures) =>
      `${ms(f.cold)} | ${ms(f.p50)} / ${ms(f.p99)}`;
    console.log(
      `${name.padEnd(20)} ${`${row.ours.pods}/${row.stock.pods}`.padEnd(
        16,
      )} ${coldWarm(row.ours).padEnd(32)} ${coldWarm(row.stock).padEnd(
        30,
      )} ${ratio(row.stock.cold, row.ours.cold)} | ${ratio(
        row.stock.p50,
        row.ours.p50,
      )} | ${ratio(row.stock.p99, row.ours.p99)}`,
    );
    if (!objectTypes) {
      const revalidate = await measure(
        { url, headers: { 'if-none-match': ours.etag ?? '' } },
        iterations,
      );
      notes.push(
        `  ${name}: answer ${(ours.bytes / 1024).toFixed(0)} KiB, stock ${(
          stock.bytes / 1024
        ).toFixed(0)} KiB; If-None-Match revalidation (304) p50 ${ms(
          revalidate.p50,
        )} p99 ${ms(revalidate.p99)}; server-side GC during our series: ${
          ours.gc.count
        } pauses, ${ms(ours.gc.totalMs)} in all, longest ${ms(ours.gc.maxMs)}`,
      );
    }
  }
  if (!objectTypes) {
    await printRouteLatencies(
      platformRoutes(`${base}/api/multi-provider`),
      iterations,
    );
  }
  await stop();
  return figures;
}

/**
 * `--lab`: the multi-provider placement answer beside the stock kubernetes backend's workloads
 * query for the same entities, on the running lab, in two comparisons. Page for page: the stock
 * backend with its default object types, which is what its tab requests. Like for like: the stock
 * backend configured with `objectTypes: [pods]`, so both read only pods and what differs is
 * caching and indexing. Each on a fresh backend, with cold (first call) and warm figures.
 */
async function benchAgainstStock(
  cluster: ReturnType<typeof labCluster>,
  iterations: number,
) {
  const entities = labEntities();
  const notes: string[] = [];
  console.log(
    '\npage for page: stock kubernetes backend with its default object types',
  );
  const page = await compareOnOneBackend(
    cluster,
    entities,
    iterations,
    undefined,
    notes,
  );
  console.log(
    '\nlike for like: stock kubernetes backend with objectTypes [pods]',
  );
  const like = await compareOnOneBackend(
    cluster,
    entities,
    iterations,
    ['pods'],
    notes,
  );
  console.log(
    `\nstock / multi-provider (${iterations} warm sequential calls each; cold = first call after start)`,
  );
  console.log(
    `${'entity'.padEnd(20)} ${'page for page cold | warm p50'.padEnd(
      32,
    )} like for like cold | warm p50`,
  );
  for (const entity of entities) {
    const name = entity.metadata.name;
    const p = page.get(name)!;
    const l = like.get(name)!;
    console.log(
      `${name.padEnd(20)} ${`${ratio(p.stock.cold, p.ours.cold)} | ${ratio(
        p.stock.p50,
        p.ours.p50,
      )}`.padEnd(32)} ${ratio(l.stock.cold, l.ours.cold)} | ${ratio(
        l.stock.p50,
        l.ours.p50,
      )}`,
    );
  }
  for (const n of notes) console.log(n);
}

async function main() {
  const kubeconfig = argValue('kubeconfig');
  const lab = hasFlag('lab');
  const iterations = argNumber('iterations', 50);
  const root = findRepoRoot();
  console.log(loadLine());
  let connection: ClusterConnection;
  // The real cluster's kubeconfig (lab or file); none for the synthetic cluster.
  let kc: KubeConfig | undefined;
  const cluster = lab ? labCluster(root) : undefined;
  if (cluster) {
    kc = kubeConfigFor(cluster);
    connection = connectCluster(cluster.name, kc);
  } else if (kubeconfig) {
    kc = new KubeConfig();
    kc.loadFromFile(kubeconfig);
    connection = connectCluster(kc.getCurrentContext(), kc);
  } else {
    connection = syntheticCluster(
      argNumber('nodes', 1000),
      argNumber('pods', 20000),
    );
  }
  const { cache, reportMemory } = await coldCache(connection);
  if (kc) await podListBaseline(kc);
  if (!cluster) {
    const first = cache.pods.items.values().next().value;
    const entityName = first?.labels?.[KUBERNETES_ANNOTATION] ?? 'none';
    await benchRoutes(cache, entityName, iterations);
  } else {
    await printPlacementBuildCost([cache], labEntities(), 20);
  }
  reportMemory();
  if (cluster) await benchAgainstStock(cluster, iterations);
  console.log(loadLine());
}

main().then(
  () => process.exit(0),
  err => {
    console.error(err);
    process.exit(1);
  },
);
