import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { labPaths } from '../paths';
import { down } from './down';
import { up } from './up';
import { printScaleResult, removeScale, scale, ScaleResult } from './scale';

function readStamps(
  bin: string,
): Array<{ component: string; version: string; seconds: number }> {
  const dir = path.join(bin, '.stamps');
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).map(f => {
    const text = fs.readFileSync(path.join(dir, f), 'utf8');
    const get = (k: string) =>
      new RegExp(`^${k}=(.*)$`, 'm').exec(text)?.[1] ?? '';
    return {
      component: f,
      version: get('version'),
      seconds: Number(get('seconds')),
    };
  });
}

/** Parses `100x2000,500x10000` into steps. */
export function parseSteps(
  text: string,
): Array<{ nodes: number; pods: number }> {
  return text.split(',').map(s => {
    const m = /^(\d+)x(\d+)$/.exec(s.trim());
    if (!m) throw new Error(`bad step "${s}" (want NODESxPODS)`);
    return { nodes: Number(m[1]), pods: Number(m[2]) };
  });
}

/**
 * `lab bench`: cold/warm build times, time from `lab up` (fresh state) to every default workload
 * Running, and `lab scale` steps towards 1,000 nodes / 20,000 pods. Prints figures; asserts nothing.
 */
export async function bench(options: {
  steps: string;
  skipUp?: boolean;
}): Promise<void> {
  const p = labPaths();
  const lines: string[] = [];
  const out = (s: string) => {
    lines.push(s);
    console.log(`bench: ${s}`);
  };

  const t0 = Date.now();
  execFileSync(p.buildScript, [], { stdio: 'inherit' });
  const warm = (Date.now() - t0) / 1000;
  const stamps = readStamps(p.bin);
  const cold = stamps.reduce((a, s) => a + s.seconds, 0);
  for (const s of stamps)
    out(`build ${s.component} ${s.version}: cold ${s.seconds.toFixed(0)}s`);
  out(
    `build total: cold ${cold.toFixed(0)}s (${(cold / 60).toFixed(
      1,
    )} min), warm ${warm.toFixed(1)}s`,
  );

  if (!options.skipUp) {
    await down({ purge: true });
    const t1 = Date.now();
    await up();
    out(
      `lab up (fresh state) to all default workloads Running: ${(
        (Date.now() - t1) /
        1000
      ).toFixed(1)}s`,
    );
  }

  // Steps are cumulative: each grows the benchmark from the previous step's size.
  const results: ScaleResult[] = [];
  for (const step of parseSteps(options.steps)) {
    const r = await scale({ ...step, claims: 0 });
    results.push(r);
    printScaleResult(r);
    out(
      `scale ${r.nodes} nodes/${r.pods} pods: ${r.podsSeconds.toFixed(
        0,
      )}s to Running, scheduled ${r.scheduled}/${r.pods}, ` +
        `peak RSS MiB ${Object.entries(r.peakRssMiB)
          .map(([k, v]) => `${k}=${v}`)
          .join(' ')}`,
    );
    if (!r.allRunning) {
      out(
        `largest size that worked: ${
          results
            .filter(x => x.allRunning)
            .map(x => `${x.nodes}x${x.pods}`)
            .pop() ?? 'none'
        }`,
      );
      break;
    }
  }
  await removeScale();
  fs.writeFileSync(path.join(p.state, 'bench.txt'), `${lines.join('\n')}\n`);
  console.log(
    `bench: figures saved to ${path.relative(
      p.root,
      path.join(p.state, 'bench.txt'),
    )}`,
  );
}
