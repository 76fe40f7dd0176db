/* eslint-disable no-console */
// The Flux tree reader on a synthetic adopter-sized tree: one process, one reader
// (`readFluxTree` over a `YamlDocumentCache` of a `LocalTreeSource`), the way the catalog module
// reads its tree. Prints cold and warm full reads, re-reads after one changed file, the heap the
// parse cache and model hold per object, and where the cold read's time goes.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  FluxModel,
  LocalTreeSource,
  readFluxTree,
  YamlDocumentCache,
} from '@cloudlab/plugin-multi-provider-node';
import { argNumber, argValue, hasFlag, loadLine, ms } from './harness';
import { percentile } from '../load/stats';
import { writeFluxTree } from './fluxTreeFixture';

const GITOPS_DIR = 'gitops';

/** One read pass: wall time, and CPU time of the process (its file-system threads included). */
async function read(cache: YamlDocumentCache): Promise<{
  model: FluxModel;
  ms: number;
  cpuMs: number;
}> {
  cache.begin();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const model = await readFluxTree(cache, GITOPS_DIR);
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { model, ms: wall, cpuMs: (cpu.user + cpu.system) / 1000 };
}

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);

function heapUsed(): number {
  global.gc?.();
  global.gc?.();
  return process.memoryUsage().heapUsed;
}

async function main() {
  const kustomizations = argNumber('kustomizations', 2000);
  const clusterCount = argNumber('clusters', 4);
  const changes = argNumber('changes', 10);
  const warmRuns = argNumber('warm', 5);
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

  try {
    const heapBefore = heapUsed();
    const cache = new YamlDocumentCache(new LocalTreeSource(root));
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
      `cold full read: ${ms(cold.ms)}, CPU ${ms(cold.cpuMs)} (target < 5 s)${
        cold.ms < 5000 ? '' : ' MISSED'
      }`,
    );
    // Where a cold read's time goes: the same pass in three steps on a fresh cache. Listing and
    // reading fill the pass's view of the tree, so the reader then only builds the model.
    const split = new YamlDocumentCache(new LocalTreeSource(root));
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
    const warmCpu: number[] = [];
    for (let i = 0; i < warmRuns; i++) {
      const r = await read(cache);
      warm.push(r.ms);
      warmCpu.push(r.cpuMs);
    }
    console.log(
      `warm full re-read, nothing changed: median ${ms(
        percentile(sorted(warm), 50),
      )} (CPU ${ms(percentile(sorted(warmCpu), 50))}), max ${ms(
        Math.max(...warm),
      )} (${warmRuns} runs)`,
    );

    // One changed file per re-read, alternating an app's Deployment and an app's Flux
    // Kustomization, in different clusters and apps.
    const changed: number[] = [];
    const changedCpu: number[] = [];
    for (let i = 0; i < changes; i++) {
      const c = i % tree.clusters.length;
      const app =
        (i * 37) %
        Math.max(1, tree.fluxKustomizations / tree.clusters.length - 4);
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
      const hashBefore = cache.fingerprint().get(file);
      await fs.writeFile(abs, next);
      const r = await read(cache);
      if (cache.fingerprint().get(file) === hashBefore) {
        throw new Error(`the re-read did not see the change to ${file}`);
      }
      changed.push(r.ms);
      changedCpu.push(r.cpuMs);
    }
    console.log(
      `re-read after changing one file: median ${ms(
        percentile(sorted(changed), 50),
      )} (CPU ${ms(percentile(sorted(changedCpu), 50))}), max ${ms(
        Math.max(...changed),
      )} (${changes} changes; target < 200 ms)${
        percentile(sorted(changed), 50) < 200 ? '' : ' MISSED'
      }`,
    );
  } finally {
    if (!hasFlag('keep') && argValue('dir') === undefined) {
      await fs.rm(root, { recursive: true, force: true });
    }
  }
}

main().catch(e => {
  console.error(e);
  process.exit(1);
});
