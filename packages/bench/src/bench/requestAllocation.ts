/* eslint-disable no-console */
import { Session } from 'node:inspector/promises';
import { constants, PerformanceObserver } from 'node:perf_hooks';

interface SampleNode {
  callFrame: { functionName: string; url: string };
  selfSize: number;
  children: SampleNode[];
}

/** Whether a frame is the multi-provider backend's own code (not its dependencies). */
const isPlugin = (url: string) =>
  url.includes('multi-provider-backend/src/') && !url.includes('node_modules');

/**
 * Sampled bytes allocated per request in this process (client, server and everything else it
 * ran), and of those the bytes allocated with a frame of the multi-provider backend on the stack.
 * Collected objects count too, so the figure is what the garbage collector must reclaim.
 */
async function sampleRequests(url: string, n: number) {
  for (let i = 0; i < 50; i++) await (await fetch(url)).arrayBuffer();
  const session = new Session();
  session.connect();
  await session.post('HeapProfiler.enable');
  await session.post('HeapProfiler.startSampling', {
    samplingInterval: 4096,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
  let status = 0;
  for (let i = 0; i < n; i++) {
    const res = await fetch(url);
    status = res.status;
    await res.arrayBuffer();
  }
  const { profile } = await session.post('HeapProfiler.stopSampling');
  session.disconnect();
  let total = 0;
  let plugin = 0;
  const walk = (node: SampleNode, inPlugin: boolean) => {
    const here = inPlugin || isPlugin(node.callFrame.url);
    total += node.selfSize;
    if (here) plugin += node.selfSize;
    for (const c of node.children) walk(c, here);
  };
  walk(profile.head as SampleNode, false);
  return { status, total: total / n, plugin: plugin / n };
}

/**
 * Prints the bytes each route allocates per warm request (memo hits for the entity routes), to
 * judge what the backend's own code adds to the garbage of a request beside the HTTP stack.
 */
export async function printRequestAllocation(
  base: string,
  entityName: string,
  n: number,
) {
  const mp = `${base}/api/multi-provider`;
  const routes = [
    `${mp}/clusters`,
    `${mp}/entity/default/component/${entityName}/placement`,
    `${mp}/entity/default/component/${entityName}/storage`,
    `${mp}/platform/storage`,
    `${mp}/platform/placement`,
  ];
  console.log(
    `allocation per warm request (${n} sequential requests each, sampled every 4 KiB, collected objects included; client and server share this process)`,
  );
  // Garbage collection while 20 clients ask the entity routes: compare runs with and without
  // NODE_OPTIONS=--max-semi-space-size=N to see whether a larger young generation changes it.
  const pauses: Array<{ minor: boolean; ms: number }> = [];
  const observer = new PerformanceObserver(list => {
    for (const e of list.getEntries()) {
      const kind = (e as { detail?: { kind?: number } }).detail?.kind;
      pauses.push({
        minor: kind === constants.NODE_PERFORMANCE_GC_MINOR,
        ms: e.duration,
      });
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  let next = 0;
  const client = async () => {
    while (next < n * 4) {
      const url = routes[1 + (next++ % 2)];
      await (await fetch(url)).arrayBuffer();
    }
  };
  await Promise.all(Array.from({ length: 20 }, client));
  await new Promise(r => setTimeout(r, 100));
  observer.disconnect();
  const minor = pauses.filter(p => p.minor);
  const sum = (ps: typeof pauses) => ps.reduce((t, p) => t + p.ms, 0);
  console.log(
    `  GC during ${n * 4} entity requests from 20 clients: ${
      minor.length
    } scavenges (${sum(minor).toFixed(0)} ms, longest ${Math.max(
      0,
      ...minor.map(p => p.ms),
    ).toFixed(1)} ms), ${pauses.length - minor.length} other (${sum(
      pauses.filter(p => !p.minor),
    ).toFixed(0)} ms); NODE_OPTIONS=${process.env.NODE_OPTIONS ?? ''}`,
  );
  for (const url of routes) {
    const a = await sampleRequests(url, n);
    console.log(
      `  ${url.slice(mp.length)} (${a.status}): ${(a.total / 1024).toFixed(
        1,
      )} KiB, of which with the plugin's code on the stack ${(
        a.plugin / 1024
      ).toFixed(1)} KiB`,
    );
  }
}
