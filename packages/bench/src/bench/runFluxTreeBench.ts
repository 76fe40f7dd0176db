/* eslint-disable no-console */
// The Flux tree reader on a synthetic adopter-sized tree: one process, one reader
// (`readFluxTree` over a `YamlDocumentCache` of a `LocalTreeSource`), the way the catalog module
// reads its tree. Prints cold full reads with the YAML parse in worker threads and in the main
// thread, where the cold read's time goes, how long the event loop was held, warm re-reads, and
// re-reads after one changed file with and without being told which file changed, in place and
// as a new revision in a new folder (as a Flux artifact or a Git host's tree arrives).
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay, performance as perf } from 'node:perf_hooks';
import { parseAllDocuments } from 'yaml';
import {
  changedPaths,
  defaultParseWorkers,
  FluxModel,
  LocalTreeSource,
  parseYamlDocuments,
  readFluxTree,
  readTreeManifest,
  YamlDocumentCache,
  YamlParsePool,
} from '@cloudlab/plugin-multi-provider-node';
import { argNumber, argValue, hasFlag, loadLine, ms } from './harness';
import { percentile } from '../load/stats';
import { FluxTreeStats, writeFluxTree } from './fluxTreeFixture';

const GITOPS_DIR = 'gitops';

/**
 * One read pass: wall time, CPU time of the process (its file-system and parse threads
 * included), and the longest the event loop waited during it.
 */
async function read(
  cache: YamlDocumentCache,
  changed?: Iterable<string>,
): Promise<{
  model: FluxModel;
  ms: number;
  cpuMs: number;
  mainMs: number;
  loopMaxMs: number;
}> {
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  cache.begin(changed);
  const cpu0 = process.cpuUsage();
  const elu0 = perf.eventLoopUtilization();
  const t0 = performance.now();
  const model = await readFluxTree(cache, GITOPS_DIR);
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const elu = perf.eventLoopUtilization(elu0);
  loop.disable();
  return {
    model,
    ms: wall,
    cpuMs: (cpu.user + cpu.system) / 1000,
    mainMs: elu.active,
    loopMaxMs: loop.max / 1e6,
  };
}

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const median = (xs: number[]) => percentile(sorted(xs), 50);

function heapUsed(): number {
  global.gc?.();
  global.gc?.();
  return process.memoryUsage().heapUsed;
}

/**
 * The parse alone, in the main thread, over every file's text: the reader's parse against the
 * `yaml` library alone (what the reader used before its fast path), alternating, CPU time each.
 */
async function parseOnly(root: string, files: string[], rounds: number) {
  const texts = await Promise.all(
    files.map(f => fs.readFile(path.join(root, f), 'utf8')),
  );
  const cpuOf = (parse: (text: string) => unknown) => {
    const c0 = process.cpuUsage();
    for (const t of texts) parse(t);
    const c = process.cpuUsage(c0);
    return (c.user + c.system) / 1000;
  };
  const yamlAlone = (text: string) => {
    const docs = parseAllDocuments(text);
    return (Array.isArray(docs) ? docs : [docs]).map(d => d.toJS());
  };
  const reader: number[] = [];
  const baseline: number[] = [];
  for (let i = 0; i < rounds; i++) {
    reader.push(cpuOf(parseYamlDocuments));
    baseline.push(cpuOf(yamlAlone));
  }
  const bytes = texts.reduce((n, t) => n + t.length, 0);
  return { reader: median(reader), baseline: median(baseline), bytes };
}

/** Changes one file of the tree in `root`: the i-th change alternates a Deployment and an app's Flux Kustomization. */
async function changeOneFile(
  root: string,
  tree: FluxTreeStats,
  i: number,
): Promise<string> {
  const c = i % tree.clusters.length;
  const app =
    (i * 37) % Math.max(1, tree.fluxKustomizations / tree.clusters.length - 4);
  const file =
    i % 2 === 0
      ? tree.deploymentFile(c, app)
      : tree.appKustomizationFile(c, app);
  const abs = path.join(root, file);
  const text = await fs.readFile(abs, 'utf8');
  const next =
    i % 2 === 0
      ? text.replace(
          /(image: \S+:)(\d+)\.(\d+)\.(\d+)/,
          (_, p, a, b) => `${p}${a}.${Number(b) + 1}.0`,
        )
      : text.replace(
          /interval: (\d+)m/,
          (_, m) => `interval: ${Number(m) + 1}m`,
        );
  if (next === text) throw new Error(`could not change ${file}`);
  await fs.writeFile(abs, next);
  return file;
}

function describeRead(r: {
  ms: number;
  cpuMs: number;
  mainMs: number;
  loopMaxMs: number;
}) {
  return `${ms(r.ms)}, CPU ${ms(r.cpuMs)} (main thread busy ${ms(
    r.mainMs,
  )}), event loop held at most ${ms(r.loopMaxMs)}`;
}

async function main() {
  const kustomizations = argNumber('kustomizations', 2000);
  const clusterCount = argNumber('clusters', 4);
  const changes = argNumber('changes', 10);
  const warmRuns = argNumber('warm', 5);
  const revisionRuns = argNumber('revisions', 3);
  const root =
    argValue('dir') ??
    (await fs.mkdtemp(path.join(os.tmpdir(), 'cloudlab-flux-tree-')));
  console.log(loadLine());
  const tGen = performance.now();
  const tree = await writeFluxTree(root, {
    clusters: clusterCount,
    kustomizations,
  });
  console.log(
    `synthetic tree in ${root}: ${tree.clusters.length} clusters, ${
      tree.fluxKustomizations
    } Flux Kustomizations, ${tree.objects} objects in ${
      tree.files
    } files (written in ${ms(
      performance.now() - tGen,
    )}; the files are in the page cache)`,
  );

  const workers = argNumber('parse-workers', defaultParseWorkers());
  const pool = new YamlParsePool({ size: workers });
  // The same cold read with fewer workers, for the ratio (`--compare-workers 0` skips it).
  const fewer = argNumber('compare-workers', 1);
  try {
    // Cold, parse in worker threads: a fresh cache, as a backend's first read of a tree.
    const heapBefore = heapUsed();
    const cache = new YamlDocumentCache(new LocalTreeSource(root), {
      parsePool: pool,
    });
    const cold = await read(cache);
    const heapHeld = heapUsed() - heapBefore;
    const model = cold.model;
    const readKs = model.clusters.reduce(
      (n, c) => n + c.kustomizations.length,
      0,
    );
    const errors = cache.fileErrors();
    console.log(
      `model: ${
        model.clusters.length
      } clusters, ${readKs} Flux Kustomizations, ${
        cache.fingerprint().size
      } files read, ${errors.length} file errors`,
    );
    for (const e of errors.slice(0, 5)) console.log(`  ${e.file}: ${e.reason}`);
    if (readKs !== tree.fluxKustomizations) {
      throw new Error(
        `the reader found ${readKs} of ${tree.fluxKustomizations} Flux Kustomizations`,
      );
    }
    console.log(
      `cold full read, parse in ${workers} worker thread(s): ${describeRead(
        cold,
      )} (target < 5 s)${cold.ms < 5000 ? '' : ' MISSED'}`,
    );
    // Where a cold read's time goes: the same pass in three steps on a fresh cache. Listing and
    // reading fill the pass's view of the tree, so the reader then only builds the model.
    const split = new YamlDocumentCache(new LocalTreeSource(root), {
      parsePool: pool,
    });
    split.begin();
    const t0 = performance.now();
    const files = await split.listYaml(GITOPS_DIR);
    const t1 = performance.now();
    await split.readMany(files);
    const t2 = performance.now();
    await readFluxTree(split, GITOPS_DIR);
    const t3 = performance.now();
    console.log(
      `  split: listing ${ms(t1 - t0)} (${
        files.length
      } YAML files), reading and parsing ${ms(t2 - t1)}, model build ${ms(
        t3 - t2,
      )}`,
    );
    const parse = await parseOnly(root, files, 3);
    console.log(
      `  the parse alone, main thread, CPU (median of 3, ${(
        parse.bytes /
        1024 /
        1024
      ).toFixed(1)} MiB of YAML): the reader's ${ms(
        parse.reader,
      )}, the yaml library alone (baseline, the parse before the fast path) ${ms(
        parse.baseline,
      )}; ${(parse.baseline / parse.reader).toFixed(1)}x faster`,
    );
    if (fewer > 0 && fewer < workers) {
      const small = new YamlParsePool({ size: fewer });
      const r = await read(
        new YamlDocumentCache(new LocalTreeSource(root), { parsePool: small }),
      );
      await small.close();
      console.log(
        `cold full read, parse in ${fewer} worker thread(s): ${describeRead(
          r,
        )}`,
      );
    }
    const inline = await read(
      new YamlDocumentCache(new LocalTreeSource(root), { parsePool: false }),
    );
    console.log(
      `cold full read, parse in the main thread (baseline): ${describeRead(
        inline,
      )}; worker threads ${(inline.ms / cold.ms).toFixed(2)}x faster`,
    );
    // The first cold read also paid the reader's first compilation (and the workers' start):
    // the same read again, on a fresh cache, is what a later full read of a new tree costs.
    const again = await read(
      new YamlDocumentCache(new LocalTreeSource(root), { parsePool: pool }),
    );
    console.log(
      `cold full read again, parse in ${workers} worker thread(s), the reader compiled: ${describeRead(
        again,
      )} (target < 5 s)${again.ms < 5000 ? '' : ' MISSED'}`,
    );
    console.log(
      `heap held by the parse cache and the model: ${(
        heapHeld /
        1024 /
        1024
      ).toFixed(1)} MiB, ${(heapHeld / tree.objects).toFixed(0)} B per object${
        global.gc ? '' : ' (run with --expose-gc for a meaningful figure)'
      }`,
    );

    const warm: number[] = [];
    const warmTold: number[] = [];
    for (let i = 0; i < warmRuns; i++) {
      warm.push((await read(cache)).ms);
      warmTold.push((await read(cache, [])).ms);
    }
    console.log(
      `warm full re-read, nothing changed: told so ${ms(
        median(warmTold),
      )}, not told (a stat per file) ${ms(
        median(warm),
      )} (medians of ${warmRuns})`,
    );

    // One changed file per re-read, in different clusters and apps: told which file changed
    // (as a provider's change list tells), and, as the baseline, not told.
    const reRead = async (i: number, told: boolean) => {
      const file = await changeOneFile(root, tree, i);
      const hashBefore = cache.fingerprint().get(file);
      const r = await read(cache, told ? [file] : undefined);
      if (cache.fingerprint().get(file) === hashBefore) {
        throw new Error(`the re-read did not see the change to ${file}`);
      }
      return r;
    };
    const changedTold: number[] = [];
    const changedToldCpu: number[] = [];
    const changedNotTold: number[] = [];
    for (let i = 0; i < changes; i++) {
      const r = await reRead(2 * i, true);
      changedTold.push(r.ms);
      changedToldCpu.push(r.cpuMs);
      changedNotTold.push((await reRead(2 * i + 1, false)).ms);
    }
    console.log(
      `re-read after changing one file, told which: median ${ms(
        median(changedTold),
      )} (CPU ${ms(median(changedToldCpu))}), max ${ms(
        Math.max(...changedTold),
      )} (${changes} changes; target < 200 ms)${
        median(changedTold) < 200 ? '' : ' MISSED'
      }`,
    );
    console.log(
      `  not told (baseline: a stat per file): median ${ms(
        median(changedNotTold),
      )}, max ${ms(Math.max(...changedNotTold))}; told ${(
        median(changedNotTold) / median(changedTold)
      ).toFixed(1)}x faster`,
    );

    // A new revision in a new folder, as a Flux artifact or a Git host's tree is extracted:
    // the provider lists what changed (a content hash per file), the reader's cache of the
    // previous revision hands over to the new one.
    let previousRoot = root;
    let previousManifest = await readTreeManifest(root);
    let revisionCache = cache;
    const revisions: number[] = [];
    const manifests: number[] = [];
    for (let i = 0; i < revisionRuns; i++) {
      const nextRoot = `${root}-rev${i + 1}`;
      await fs.cp(previousRoot, nextRoot, { recursive: true });
      await changeOneFile(nextRoot, tree, 2 * changes + i);
      const tm = performance.now();
      const manifest = await readTreeManifest(nextRoot);
      const changed = changedPaths(previousManifest, manifest);
      manifests.push(performance.now() - tm);
      if (changed.size !== 1) {
        throw new Error(
          `expected one changed file, the listing found ${changed.size}`,
        );
      }
      revisionCache = revisionCache.next(
        new LocalTreeSource(nextRoot),
        changed,
      );
      revisions.push((await read(revisionCache)).ms);
      if (previousRoot !== root)
        await fs.rm(previousRoot, { recursive: true, force: true });
      previousRoot = nextRoot;
      previousManifest = manifest;
    }
    console.log(
      `new revision with one changed file: re-read median ${ms(
        median(revisions),
      )}, max ${ms(
        Math.max(...revisions),
      )}; listing what changed (per revision, in the provider) median ${ms(
        median(manifests),
      )} (${revisionRuns} revisions)`,
    );

    // What the incremental reads built is what a fresh read of the same tree builds.
    const last = await read(revisionCache, []);
    const fresh = await read(
      new YamlDocumentCache(new LocalTreeSource(previousRoot), {
        parsePool: pool,
      }),
    );
    if (JSON.stringify(last.model) !== JSON.stringify(fresh.model)) {
      throw new Error(
        'the incremental re-reads built another model than a fresh read',
      );
    }
    console.log('incremental model = fresh read of the same tree: yes');
    if (previousRoot !== root)
      await fs.rm(previousRoot, { recursive: true, force: true });
  } finally {
    await pool.close();
    if (!hasFlag('keep') && argValue('dir') === undefined) {
      await fs.rm(root, { recursive: true, force: true });
    }
  }
}

main().catch(e => {
  console.error(e);
  process.exit(1);
});
