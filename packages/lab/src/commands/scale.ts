import * as k8s from '@kubernetes/client-node';
import { z } from 'zod';
import { componentStates, labContext } from '../lab';
import { expandNodes, nodeObject } from '../inventory/nodes';
import { KubeObject } from '@cloudlab/plugin-multi-provider-node';
import {
  createIfMissing,
  describe,
  FIELD_MANAGER,
  serverSideApply,
} from '../kube/apply';
import { KubeRest, statusMessage } from '../kube/rest';
import { apiMessage, labClients, LabClients, statusCode } from '../kube/client';
import { planScaleClaims, scaleClaimObjects } from '../storage/scaleClaims';

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

/**
 * Deletes one object; one already gone (removed meanwhile, e.g. by a collection delete of an
 * earlier removal still under way) is fine. Other errors name the object.
 */
async function deleteIfPresent(what: string, remove: () => Promise<unknown>) {
  try {
    await remove();
  } catch (err) {
    if (statusCode(err) !== 404)
      throw new Error(`delete ${what}: ${apiMessage(err)}`);
  }
}

/** Splits `pods` into Deployments of at most PODS_PER_DEPLOYMENT replicas. */
export function deploymentReplicas(pods: number): number[] {
  const out: number[] = [];
  for (let left = pods; left > 0; left -= PODS_PER_DEPLOYMENT)
    out.push(Math.min(left, PODS_PER_DEPLOYMENT));
  return out;
}

const count = (flag: string, max: number) =>
  z
    .string({ required_error: `${flag} is required` })
    .regex(/^\d+$/, `${flag} must be a whole number, 0 or more`)
    .transform(Number)
    .pipe(z.number().max(max, `${flag} must be at most ${max}`));

/**
 * The flags of `lab scale`: `--nodes` and `--pods` required, `--claims` 0 when absent (so
 * `--nodes 0 --pods 0` removes everything the benchmark added).
 */
export const scaleFlagsSchema = z
  .object({
    nodes: count('--nodes', 5000),
    pods: count('--pods', 100_000),
    claims: count('--claims', 100_000).default('0'),
  })
  .strict()
  .refine(f => f.claims === 0 || (f.pods > 0 && f.nodes > 0), {
    message:
      '--claims needs --nodes > 0 and --pods > 0 (claims belong to the bench Deployments and their volumes to the scale nodes’ zones)',
    path: ['claims'],
  });
export type ScaleFlags = z.infer<typeof scaleFlagsSchema>;

/** Parses `--nodes N --pods M [--claims K]`; errors name the flag and the rule. */
export function parseScaleFlags(args: string[]): ScaleFlags {
  const raw: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const m = /^--(.+)$/.exec(args[i]);
    if (!m) throw new Error(`lab scale: unexpected argument ${args[i]}`);
    const value = args[i + 1];
    if (value === undefined || value.startsWith('--'))
      throw new Error(`lab scale: --${m[1]} needs a number`);
    raw[m[1]] = value;
    i++;
  }
  const parsed = scaleFlagsSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const message =
      issue.code === 'unrecognized_keys'
        ? `unknown flag --${issue.keys[0]} (expected --nodes, --pods, --claims)`
        : issue.message;
    throw new Error(`lab scale: ${message}`);
  }
  return parsed.data;
}

/** Labels of a bench Deployment's pods, which its claims carry too (the entity selects both). */
export function benchLabels(deployment: string) {
  return { app: 'lab-scale', 'lab-scale/deployment': deployment };
}

function benchDeployment(name: string, replicas: number): k8s.V1Deployment {
  const labels = benchLabels(name);
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
 * Counts over a watch-fed informer of one namespaced collection: polling a full list of 20,000
 * objects every few seconds would itself load the 2-core machine the benchmark measures.
 */
async function watchedCounter<T extends k8s.KubernetesObject, C>(
  clients: LabClients,
  resource: string,
  list: () => Promise<k8s.KubernetesListObject<T>>,
  tally: (items: readonly T[]) => C,
) {
  const informer = k8s.makeInformer<T>(
    clients.kc,
    `/api/v1/namespaces/${SCALE_NAMESPACE}/${resource}`,
    list,
  );
  informer.on('error', () => {
    // The informer does not restart itself; do it after a pause.
    setTimeout(() => informer.start().catch(() => undefined), 2000);
  });
  await informer.start();
  return { counts: () => tally(informer.list()), stop: () => informer.stop() };
}

/** Counts of the benchmark pods (created, scheduled, Running) and claims (created, Bound). */
export async function scaleCounter(clients: LabClients) {
  const pods = await watchedCounter<k8s.V1Pod, Record<string, number>>(
    clients,
    'pods',
    () => clients.core.listNamespacedPod({ namespace: SCALE_NAMESPACE }),
    items => ({
      total: items.length,
      scheduled: items.filter(p => p.spec?.nodeName).length,
      running: items.filter(p => p.status?.phase === 'Running').length,
    }),
  );
  const claims = await watchedCounter<
    k8s.V1PersistentVolumeClaim,
    Record<string, number>
  >(
    clients,
    'persistentvolumeclaims',
    () =>
      clients.core.listNamespacedPersistentVolumeClaim({
        namespace: SCALE_NAMESPACE,
      }),
    items => ({
      claims: items.length,
      bound: items.filter(c => c.status?.phase === 'Bound').length,
    }),
  );
  return {
    counts() {
      const p = pods.counts();
      const c = claims.counts();
      return {
        total: p.total,
        scheduled: p.scheduled,
        running: p.running,
        claims: c.claims,
        bound: c.bound,
      };
    },
    async stop() {
      await pods.stop();
      await claims.stop();
    },
  };
}

/** Every item of a paged list (20,000 claims are listed 1,000 at a time). */
async function listAll<T extends k8s.KubernetesObject>(
  page: (
    cont: string | undefined,
  ) => Promise<{ items: T[]; metadata?: k8s.V1ListMeta }>,
): Promise<T[]> {
  const items: T[] = [];
  let cont: string | undefined;
  do {
    const res = await page(cont);
    items.push(...res.items);
    cont = res.metadata?._continue || undefined;
  } while (cont);
  return items;
}

/** The PV controller's annotations of a claim it has bound (it then only checks the pair). */
const BOUND_CLAIM_ANNOTATIONS = {
  'pv.kubernetes.io/bind-completed': 'yes',
  'pv.kubernetes.io/bound-by-controller': 'yes',
};

/** A merge patch of an object or its status subresource; throws with the API's message. */
async function mergePatch(rest: KubeRest, path: string, body: object) {
  const res = await rest.request(
    'PATCH',
    `${path}?fieldManager=${FIELD_MANAGER}`,
    JSON.stringify(body),
    'application/merge-patch+json',
  );
  if (res.status !== 200)
    throw new Error(`patch ${path}: HTTP ${res.status} ${statusMessage(res)}`);
}

/**
 * Writes what the PV controller would write when it binds a pre-bound pair: the volume's
 * `claimRef.uid` (in the volume as created) and phase Bound, the claim's bind annotations and
 * its status Bound with the volume's capacity and access modes. The controller binds one pair at
 * a time (about 5 a second on the lab's two cores, an hour for 20,000); it then finds each pair
 * already consistent and writes nothing ([ADR 0202](../../../../docs/adr/0202-lab-scale-writes-bound-claims.md)).
 * The claim is created first, without annotations: annotated before its volume exists, the
 * controller would mark it Lost.
 */
async function createBoundPair(
  rest: KubeRest,
  pvc: KubeObject,
  pv: KubeObject,
  existing: { claimUid?: string; volume?: k8s.V1PersistentVolume },
) {
  let uid = existing.claimUid;
  if (!uid) {
    const path = (await rest.objectPath(pvc, false))!;
    const res = await rest.request(
      'POST',
      `${path}?fieldManager=${FIELD_MANAGER}`,
      JSON.stringify(pvc),
    );
    if (res.status !== 201)
      throw new Error(
        `create ${describe(pvc)}: HTTP ${res.status} ${statusMessage(res)}`,
      );
    uid = (JSON.parse(res.body) as k8s.V1PersistentVolumeClaim).metadata!.uid!;
  }
  const pvPath = (await rest.objectPath(pv))!;
  if (!existing.volume) {
    const spec = pv.spec as { claimRef: object };
    await createIfMissing(rest, {
      ...pv,
      spec: { ...spec, claimRef: { ...spec.claimRef, uid } },
    });
  } else if (existing.volume.spec?.claimRef?.uid !== uid) {
    // Created by an older run without the uid: the controller would set it Available.
    await mergePatch(rest, pvPath, { spec: { claimRef: { uid } } });
  }
  await mergePatch(rest, `${pvPath}/status`, { status: { phase: 'Bound' } });
  const pvcPath = (await rest.objectPath(pvc))!;
  await mergePatch(rest, pvcPath, {
    metadata: { annotations: BOUND_CLAIM_ANNOTATIONS },
  });
  const volume = pv.spec as {
    capacity: Record<string, string>;
    accessModes: string[];
  };
  await mergePatch(rest, `${pvcPath}/status`, {
    status: {
      phase: 'Bound',
      accessModes: volume.accessModes,
      capacity: volume.capacity,
    },
  });
}

/**
 * Brings the benchmark's claims and their pre-bound volumes to exactly `wanted`, each pair
 * written Bound (see {@link createBoundPair}); pairs left unbound by an earlier run are bound
 * the same way. Deletes the others (claim first).
 */
async function syncClaims(
  clients: LabClients,
  wanted: Array<{ pvc: KubeObject; pv: KubeObject }>,
) {
  const selector = `${SCALE_LABEL}=true`;
  const claims = new Map(
    (
      await listAll(cont =>
        clients.core.listNamespacedPersistentVolumeClaim({
          namespace: SCALE_NAMESPACE,
          labelSelector: selector,
          limit: 1000,
          _continue: cont,
        }),
      )
    ).map(c => [c.metadata!.name!, c]),
  );
  const volumes = new Map(
    (
      await listAll(cont =>
        clients.core.listPersistentVolume({
          labelSelector: selector,
          limit: 1000,
          _continue: cont,
        }),
      )
    ).map(v => [v.metadata!.name!, v]),
  );
  const wantedClaims = new Set(wanted.map(w => w.pvc.metadata.name));
  const wantedVolumes = new Set(wanted.map(w => w.pv.metadata.name));
  let created = 0;
  await pool(wanted, 32, async ({ pvc, pv }) => {
    const claim = claims.get(pvc.metadata.name);
    const volume = volumes.get(pv.metadata.name);
    if (claim?.status?.phase === 'Bound' && volume?.status?.phase === 'Bound')
      return;
    await createBoundPair(clients.rest, pvc, pv, {
      claimUid: claim?.metadata?.uid,
      volume,
    });
    if (!claim) created++;
  });
  const extraClaims = [...claims.keys()].filter(n => !wantedClaims.has(n));
  await pool(extraClaims, 32, name =>
    deleteIfPresent(`claim ${SCALE_NAMESPACE}/${name}`, () =>
      clients.core.deleteNamespacedPersistentVolumeClaim({
        name,
        namespace: SCALE_NAMESPACE,
      }),
    ),
  );
  const extraVolumes = [...volumes.keys()].filter(n => !wantedVolumes.has(n));
  await pool(extraVolumes, 32, name =>
    deleteIfPresent(`volume ${name}`, () =>
      clients.core.deletePersistentVolume({ name }),
    ),
  );
  return { created, deleted: extraClaims.length };
}

/**
 * Waits while the benchmark namespace is still being deleted by an earlier
 * `lab scale --nodes 0 --pods 0` (no pod can be created in it until it is gone).
 */
export async function awaitNamespaceGone(
  clients: Pick<LabClients, 'core'>,
  { timeoutMs = 600_000, pollMs = 2000 } = {},
) {
  const started = Date.now();
  for (let said = false; ; ) {
    let phase: string | undefined;
    try {
      phase = (await clients.core.readNamespace({ name: SCALE_NAMESPACE }))
        .status?.phase;
    } catch (err) {
      if (statusCode(err) === 404) return;
      throw new Error(`namespace ${SCALE_NAMESPACE}: ${apiMessage(err)}`);
    }
    if (phase !== 'Terminating') return;
    if (Date.now() - started > timeoutMs)
      throw new Error(
        `namespace ${SCALE_NAMESPACE} is still being deleted after ${
          timeoutMs / 1000
        }s (an earlier lab scale --nodes 0 --pods 0); check: kubectl get namespace ${SCALE_NAMESPACE} -o yaml`,
      );
    if (!said) {
      console.log(
        `lab scale: namespace ${SCALE_NAMESPACE} is still being deleted (an earlier removal); waiting for it`,
      );
      said = true;
    }
    await sleep(pollMs);
  }
}

/** Result of one `lab scale` run. */
export interface ScaleResult {
  nodes: number;
  pods: number;
  claims: number;
  nodesSeconds: number;
  podsSeconds: number;
  /** Seconds to create and delete the claims and volumes (binding is awaited with the pods). */
  claimsSeconds: number;
  scheduled: number;
  running: number;
  bound: number;
  allScheduled: boolean;
  /** Every pod Running and every claim Bound. */
  allRunning: boolean;
  peakRssMiB: Record<string, number>;
}

/**
 * `lab scale --nodes N --pods M [--claims K]`: brings the benchmark to exactly N extra simulated
 * nodes (spread over the inventory's pools, same labels), M pods and K claims bound to pre-created
 * volumes in the scale nodes' zones, then waits until every pod runs and every claim is bound, or
 * progress stalls. `--nodes 0 --pods 0` removes it all.
 */
export async function scale(
  flags: ScaleFlags,
  stallMs = 120_000,
): Promise<ScaleResult> {
  const { nodes, pods } = flags;
  const ctx = await labContext();
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
    name =>
      deleteIfPresent(`node ${name}`, () => clients.core.deleteNode({ name })),
  );
  const nodesSeconds = (Date.now() - t0) / 1000;
  console.log(
    `lab scale: ${
      wanted.length
    } scale nodes in place after ${nodesSeconds.toFixed(1)}s`,
  );

  // Pods.
  const t1 = Date.now();
  await awaitNamespaceGone(clients);
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

  // Claims, attributed to the Deployments' entities, their volumes in the scale nodes' zones.
  const t2 = Date.now();
  const claimPlan = planScaleClaims(
    flags.claims,
    names,
    wanted,
    ctx.providers,
  ).map(c => {
    const { pvc, pv } = scaleClaimObjects(c, SCALE_NAMESPACE, {
      ...benchLabels(c.deployment),
      [SCALE_LABEL]: 'true',
    });
    return { pvc: pvc as KubeObject, pv: pv as unknown as KubeObject };
  });
  const claimSync = await syncClaims(clients, claimPlan);
  const claimsSeconds = (Date.now() - t2) / 1000;
  console.log(
    `lab scale: ${flags.claims} claims (${claimSync.created} created, ${
      claimSync.deleted
    } deleted) in ${claimsSeconds.toFixed(1)}s`,
  );

  const counter = await scaleCounter(clients);
  let last = { total: -1, scheduled: -1, running: -1, claims: -1, bound: -1 };
  let lastProgress = Date.now();
  let counts = last;
  for (;;) {
    await sample();
    counts = counter.counts();
    const done =
      counts.running === pods &&
      counts.total === pods &&
      counts.claims === flags.claims &&
      counts.bound === flags.claims;
    if (JSON.stringify(counts) !== JSON.stringify(last)) {
      lastProgress = Date.now();
      console.log(
        `lab scale: ${((Date.now() - t1) / 1000).toFixed(0)}s pods ${
          counts.total
        }/${pods} created, ${counts.scheduled} scheduled, ${
          counts.running
        } Running; claims ${counts.claims}/${flags.claims}, ${
          counts.bound
        } Bound`,
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
    claims: flags.claims,
    nodesSeconds,
    podsSeconds,
    claimsSeconds,
    scheduled: counts.scheduled,
    running: counts.running,
    bound: counts.bound,
    allScheduled: counts.scheduled === pods,
    allRunning: counts.running === pods && counts.bound === flags.claims,
    peakRssMiB: peak,
  };
}

/**
 * Removes the benchmark without waiting for 20,000 graceful pod deletions: deletes the namespace
 * and the scale nodes; the garbage collector and kwok finish in the background.
 */
export async function removeScale(): Promise<void> {
  const ctx = await labContext();
  const clients = labClients(ctx.paths.kubeconfig);
  try {
    await clients.core.deleteNamespace({ name: SCALE_NAMESPACE });
  } catch (err) {
    if (statusCode(err) !== 404)
      throw new Error(
        `delete namespace ${SCALE_NAMESPACE}: ${apiMessage(err)}`,
      );
  }
  // The terminating namespace admits no new pods; its pods go at once (grace period 0) in one
  // collection delete, instead of each waiting for a graceful stop on a node about to go and
  // then for the pod garbage collector, which at scale takes far longer (docs/benchmarks.md).
  try {
    await clients.core.deleteCollectionNamespacedPod({
      namespace: SCALE_NAMESPACE,
      gracePeriodSeconds: 0,
    });
  } catch (err) {
    if (statusCode(err) !== 404)
      console.log(
        `lab scale: deleting the scale pods did not answer in time (${apiMessage(
          err,
        )}); the namespace deletion goes on`,
      );
  }
  // One delete per node: a single DELETE collection of 1,000 nodes can outlive the request
  // timeout on a loaded machine.
  const nodes = (
    await clients.core.listNode({ labelSelector: `${SCALE_LABEL}=true` })
  ).items;
  await pool(nodes, 16, n =>
    deleteIfPresent(`node ${n.metadata!.name}`, () =>
      clients.core.deleteNode({ name: n.metadata!.name! }),
    ),
  );
  // The namespace takes the claims; their volumes are cluster-scoped. A collection delete of
  // 20,000 volumes can outlive the request on a loaded machine while the server goes on: run
  // `lab scale --nodes 0 --pods 0` again to check.
  try {
    await clients.core.deleteCollectionPersistentVolume({
      labelSelector: `${SCALE_LABEL}=true`,
    });
  } catch (err) {
    console.log(
      `lab scale: deleting the scale volumes did not answer in time (${apiMessage(
        err,
      )}); the API server may still be deleting them — run the command again to check`,
    );
  }
  console.log(
    `lab scale: deleting namespace ${SCALE_NAMESPACE}, the scale volumes and nodes (finishes in the background)`,
  );
}

/** Prints a scale result as the bench and `lab scale` show it. */
export function printScaleResult(r: ScaleResult) {
  console.log(
    `scale ${r.nodes} nodes / ${r.pods} pods / ${
      r.claims
    } claims: nodes ${r.nodesSeconds.toFixed(
      1,
    )}s, claims created ${r.claimsSeconds.toFixed(
      1,
    )}s, pods Running and claims Bound ${r.podsSeconds.toFixed(1)}s, ` +
      `scheduled ${r.scheduled}/${r.pods} (${
        r.allScheduled ? 'all' : 'NOT all'
      }), Running ${r.running}/${r.pods}, Bound ${r.bound}/${r.claims}`,
  );
  console.log(
    `  peak RSS MiB: ${Object.entries(r.peakRssMiB)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ')}`,
  );
}
