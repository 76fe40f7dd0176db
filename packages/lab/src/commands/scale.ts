import * as k8s from '@kubernetes/client-node';
import { componentStates, labContext } from '../lab';
import { expandNodes, nodeObject } from '../inventory/nodes';
import { KubeObject } from '../gitops/fluxKustomizations';
import { createIfMissing, serverSideApply } from '../kube/apply';
import { apiMessage, labClients, LabClients, statusCode } from '../kube/client';

/** Label of the nodes `lab scale` adds (default inventory nodes are never touched). */
export const SCALE_LABEL = 'cloudlab.dev/lab-scale';
/** Namespace of the benchmark pods. */
export const SCALE_NAMESPACE = 'lab-scale';
/** Pods per benchmark Deployment (keeps each ReplicaSet's work bounded and parallel). */
const PODS_PER_DEPLOYMENT = 1000;

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

/** Runs tasks with bounded concurrency. */
async function pool<T>(
  items: T[],
  concurrency: number,
  fn: (t: T) => Promise<void>,
) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]);
    }),
  );
}

/** Splits `pods` into Deployments of at most PODS_PER_DEPLOYMENT replicas. */
export function deploymentReplicas(pods: number): number[] {
  const out: number[] = [];
  for (let left = pods; left > 0; left -= PODS_PER_DEPLOYMENT)
    out.push(Math.min(left, PODS_PER_DEPLOYMENT));
  return out;
}

function benchDeployment(name: string, replicas: number): k8s.V1Deployment {
  const labels = { app: 'lab-scale', 'lab-scale/deployment': name };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: SCALE_NAMESPACE, labels },
    spec: {
      replicas,
      selector: { matchLabels: labels },
      strategy: {
        type: 'RollingUpdate',
        rollingUpdate: { maxSurge: '100%', maxUnavailable: '100%' },
      },
      template: {
        metadata: { labels },
        spec: {
          nodeSelector: { [SCALE_LABEL]: 'true' },
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          containers: [
            {
              name: 'app',
              image: 'lab-pause:never-pulled',
              resources: { requests: { cpu: '10m', memory: '16Mi' } },
            },
          ],
        },
      },
    },
  };
}

/**
 * Counts of the benchmark pods from a watch-fed informer: polling a full list of 20,000 pods every
 * few seconds would itself load the 2-core machine the benchmark measures.
 */
export async function scalePodCounter(clients: LabClients) {
  const informer = k8s.makeInformer<k8s.V1Pod>(
    clients.kc,
    `/api/v1/namespaces/${SCALE_NAMESPACE}/pods`,
    () => clients.core.listNamespacedPod({ namespace: SCALE_NAMESPACE }),
  );
  informer.on('error', () => {
    // The informer does not restart itself; do it after a pause.
    setTimeout(() => informer.start().catch(() => undefined), 2000);
  });
  await informer.start();
  return {
    counts() {
      let scheduled = 0;
      let running = 0;
      const pods = informer.list();
      for (const pod of pods) {
        if (pod.spec?.nodeName) scheduled++;
        if (pod.status?.phase === 'Running') running++;
      }
      return { total: pods.length, scheduled, running };
    },
    stop: () => informer.stop(),
  };
}

/** Result of one `lab scale` run. */
export interface ScaleResult {
  nodes: number;
  pods: number;
  nodesSeconds: number;
  podsSeconds: number;
  scheduled: number;
  running: number;
  allScheduled: boolean;
  allRunning: boolean;
  peakRssMiB: Record<string, number>;
}

/**
 * `lab scale --nodes N --pods M`: brings the benchmark to exactly N extra simulated nodes (spread
 * over the inventory's pools, same labels) and M pods, then waits until every pod runs or progress
 * stalls. `--nodes 0 --pods 0` removes it.
 */
export async function scale(
  nodes: number,
  pods: number,
  stallMs = 120_000,
): Promise<ScaleResult> {
  const ctx = labContext();
  const clients = labClients(ctx.paths.kubeconfig);
  const peak: Record<string, number> = {};
  const sample = async () => {
    for (const s of await componentStates(ctx.paths)) {
      if (s.rssMiB !== undefined)
        peak[s.component] = Math.max(peak[s.component] ?? 0, s.rssMiB);
    }
  };

  // Nodes.
  const t0 = Date.now();
  const pools = ctx.inventory.spec.nodePools.map(pl => ({
    ...pl,
    labels: { ...pl.labels, [SCALE_LABEL]: 'true' },
  }));
  const wanted =
    nodes > 0
      ? expandNodes(pools, ctx.providers, { prefix: 'scale-', count: nodes })
      : [];
  const existing = (
    await clients.core.listNode({ labelSelector: `${SCALE_LABEL}=true` })
  ).items.map(n => n.metadata!.name!);
  const wantedNames = new Set(wanted.map(n => n.name));
  await pool(
    wanted.filter(n => !existing.includes(n.name)),
    32,
    async n => {
      await createIfMissing(clients.rest, nodeObject(n) as KubeObject);
    },
  );
  await pool(
    existing.filter(n => !wantedNames.has(n)),
    32,
    async name => {
      await clients.core.deleteNode({ name });
    },
  );
  const nodesSeconds = (Date.now() - t0) / 1000;
  console.log(
    `lab scale: ${
      wanted.length
    } scale nodes in place after ${nodesSeconds.toFixed(1)}s`,
  );

  // Pods.
  const t1 = Date.now();
  try {
    await clients.core.createNamespace({
      body: { metadata: { name: SCALE_NAMESPACE } },
    });
  } catch (err) {
    if (statusCode(err) !== 409)
      throw new Error(`namespace ${SCALE_NAMESPACE}: ${apiMessage(err)}`);
  }
  const replicas = deploymentReplicas(pods);
  const names = replicas.map((_, i) => `bench-${i}`);
  for (const [i, r] of replicas.entries()) {
    const report = await serverSideApply(clients.rest, [
      benchDeployment(names[i], r) as unknown as KubeObject,
    ]);
    if (report.failed.length > 0) {
      throw new Error(`bench deployment: ${report.failed[0].message}`);
    }
  }
  const extra = (
    await clients.apps.listNamespacedDeployment({ namespace: SCALE_NAMESPACE })
  ).items
    .map(d => d.metadata!.name!)
    .filter(n => !names.includes(n));
  for (const name of extra)
    await clients.apps.deleteNamespacedDeployment({
      name,
      namespace: SCALE_NAMESPACE,
    });

  const counter = await scalePodCounter(clients);
  let last = { total: -1, scheduled: -1, running: -1 };
  let lastProgress = Date.now();
  let counts = last;
  for (;;) {
    await sample();
    counts = counter.counts();
    const done = counts.running === pods && counts.total === pods;
    if (
      counts.running !== last.running ||
      counts.scheduled !== last.scheduled ||
      counts.total !== last.total
    ) {
      lastProgress = Date.now();
      console.log(
        `lab scale: ${((Date.now() - t1) / 1000).toFixed(0)}s pods ${
          counts.total
        }/${pods} created, ${counts.scheduled} scheduled, ${
          counts.running
        } Running`,
      );
    }
    last = counts;
    if (done) break;
    if (Date.now() - lastProgress > stallMs) {
      console.log(`lab scale: no progress for ${stallMs / 1000}s, giving up`);
      break;
    }
    await sleep(2000);
  }
  const podsSeconds = (Date.now() - t1) / 1000;
  await counter.stop();
  await sample();
  return {
    nodes: wanted.length,
    pods,
    nodesSeconds,
    podsSeconds,
    scheduled: counts.scheduled,
    running: counts.running,
    allScheduled: counts.scheduled === pods,
    allRunning: counts.running === pods,
    peakRssMiB: peak,
  };
}

/**
 * Removes the benchmark without waiting for 20,000 graceful pod deletions: deletes the namespace
 * and the scale nodes; the garbage collector and kwok finish in the background.
 */
export async function removeScale(): Promise<void> {
  const ctx = labContext();
  const clients = labClients(ctx.paths.kubeconfig);
  try {
    await clients.core.deleteNamespace({ name: SCALE_NAMESPACE });
  } catch (err) {
    if (statusCode(err) !== 404)
      throw new Error(
        `delete namespace ${SCALE_NAMESPACE}: ${apiMessage(err)}`,
      );
  }
  // One delete per node: a single DELETE collection of 1,000 nodes can outlive the request
  // timeout on a loaded machine.
  const nodes = (
    await clients.core.listNode({ labelSelector: `${SCALE_LABEL}=true` })
  ).items;
  await pool(nodes, 16, async n => {
    try {
      await clients.core.deleteNode({ name: n.metadata!.name! });
    } catch (err) {
      if (statusCode(err) !== 404)
        throw new Error(`delete node ${n.metadata!.name}: ${apiMessage(err)}`);
    }
  });
  console.log(
    `lab scale: deleting namespace ${SCALE_NAMESPACE} and the scale nodes (finishes in the background)`,
  );
}

/** Prints a scale result as the bench and `lab scale` show it. */
export function printScaleResult(r: ScaleResult) {
  console.log(
    `scale ${r.nodes} nodes / ${r.pods} pods: nodes ${r.nodesSeconds.toFixed(
      1,
    )}s, pods to Running ${r.podsSeconds.toFixed(1)}s, ` +
      `scheduled ${r.scheduled}/${r.pods} (${
        r.allScheduled ? 'all' : 'NOT all'
      }), Running ${r.running}/${r.pods}`,
  );
  console.log(
    `  peak RSS MiB: ${Object.entries(r.peakRssMiB)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ')}`,
  );
}
