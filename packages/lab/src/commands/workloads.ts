import { KubeObject } from '@cloudlab/plugin-multi-provider-node';
import { LabClients } from '../kube/client';

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

/** Readiness of one workload of the tree. */
export interface WorkloadState {
  name: string;
  ready: number;
  desired: number;
}

/** Reads the readiness of every Deployment, StatefulSet and DaemonSet among the objects. */
export async function workloadStates(
  clients: LabClients,
  objects: KubeObject[],
): Promise<WorkloadState[]> {
  const out: WorkloadState[] = [];
  for (const o of objects) {
    const ns = o.metadata.namespace ?? 'default';
    const name = `${o.kind}/${ns}/${o.metadata.name}`;
    try {
      if (o.kind === 'Deployment') {
        const d = await clients.apps.readNamespacedDeployment({
          name: o.metadata.name,
          namespace: ns,
        });
        out.push({
          name,
          ready: d.status?.readyReplicas ?? 0,
          desired: d.spec?.replicas ?? 1,
        });
      } else if (o.kind === 'StatefulSet') {
        const s = await clients.apps.readNamespacedStatefulSet({
          name: o.metadata.name,
          namespace: ns,
        });
        out.push({
          name,
          ready: s.status?.readyReplicas ?? 0,
          desired: s.spec?.replicas ?? 1,
        });
      } else if (o.kind === 'DaemonSet') {
        const s = await clients.apps.readNamespacedDaemonSet({
          name: o.metadata.name,
          namespace: ns,
        });
        out.push({
          name,
          ready: s.status?.numberReady ?? 0,
          desired: s.status?.desiredNumberScheduled ?? 0,
        });
      }
    } catch {
      out.push({ name, ready: 0, desired: 1 });
    }
  }
  return out;
}

/** Waits until every workload of the tree is ready (or the timeout passes); never throws on timeout. */
export async function waitForWorkloads(
  clients: LabClients,
  objects: KubeObject[],
  timeoutMs: number,
): Promise<{
  ready: boolean;
  seconds: number;
  summary: string;
  states: WorkloadState[];
}> {
  const t0 = Date.now();
  for (;;) {
    const states = await workloadStates(clients, objects);
    const notReady = states.filter(s => s.ready < s.desired);
    const seconds = (Date.now() - t0) / 1000;
    if (notReady.length === 0 || Date.now() - t0 > timeoutMs) {
      const summary =
        notReady.length === 0
          ? `${states.length} workloads ready after ${seconds.toFixed(
              1,
            )}s of waiting`
          : `NOT READY after ${seconds.toFixed(0)}s: ${notReady
              .map(s => `${s.name} ${s.ready}/${s.desired}`)
              .join(', ')}`;
      return { ready: notReady.length === 0, seconds, summary, states };
    }
    await sleep(1000);
  }
}
