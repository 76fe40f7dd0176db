/* eslint-disable no-console */
import {
  ProviderRegistry,
  SlimPod,
  slimEvent,
  slimNode,
  slimPV,
  slimPVC,
  slimStorageClass,
  storageFindings,
  StorageFindingsInput,
  summarizeFindings,
} from '@cloudlab/plugin-multi-provider-common';
import { ms } from './harness';

const PROVIDERS = [
  {
    name: 'hetzner',
    cls: 'hcloud-volumes',
    driver: 'csi.hetzner.cloud',
  },
  { name: 'scaleway', cls: 'scw-bssd', driver: 'csi.scaleway.com' },
] as const;
const AT = '2026-01-01T00:00:00Z';

/**
 * A cluster of `n` claims, volumes and pods (and a node per 20 pods) in which every loop of the
 * storage findings has work: every 10th claim Pending with an event, every 4th volume Released
 * in a Retain class, every 3rd pod pinned to a provider (every 6th to the other provider than
 * its volume), every 50th pod unscheduled with a FailedScheduling event, and every 10th node
 * without its provider's CSI node plugin. With `oneGroup`, every volume is Released and every
 * node lacks its plugin, so each of those groups holds a share of `n`, not of a tenth of it.
 */
export function findingsCluster(
  registry: ProviderRegistry,
  n: number,
  oneGroup = false,
): StorageFindingsInput {
  const storageClasses = PROVIDERS.map(p =>
    slimStorageClass({
      metadata: { name: p.cls },
      provisioner: p.driver,
      reclaimPolicy: 'Retain',
      volumeBindingMode: 'WaitForFirstConsumer',
    }),
  );
  const pvcs = [];
  const pvs = [];
  const pods: SlimPod[] = [];
  const events = [];
  for (let i = 0; i < n; i++) {
    const p = PROVIDERS[i % 2];
    const namespace = `ns-${i % 40}`;
    const pending = i % 10 === 0;
    pvcs.push(
      slimPVC({
        metadata: { name: `data-${i}`, namespace },
        spec: {
          storageClassName: p.cls,
          volumeName: pending ? undefined : `pv-${i}`,
          resources: { requests: { storage: '10Gi' } },
          accessModes: ['ReadWriteOnce'],
        },
        status: { phase: pending ? 'Pending' : 'Bound' },
      }),
    );
    if (pending) {
      events.push(
        slimEvent({
          involvedObject: {
            kind: 'PersistentVolumeClaim',
            name: `data-${i}`,
            namespace,
          },
          reason: 'ProvisioningFailed',
          message: 'no capacity',
          lastTimestamp: AT,
        }),
      );
    }
    pvs.push(
      slimPV({
        metadata: { name: `pv-${i}` },
        spec: {
          storageClassName: p.cls,
          csi: { driver: p.driver },
          claimRef: { name: `data-${i}`, namespace },
        },
        status: { phase: oneGroup || i % 4 === 0 ? 'Released' : 'Bound' },
      }),
    );
    const unscheduled = i % 50 === 0;
    const pin = PROVIDERS[(i % 6 === 0 ? i + 1 : i) % 2].name;
    pods.push({
      name: `app-${i}`,
      namespace,
      phase: unscheduled ? 'Pending' : 'Running',
      nodeName: unscheduled ? undefined : `node-${i % Math.ceil(n / 20)}`,
      claims: [`data-${i}`],
      intent: i % 3 === 0 ? { nodeSelector: { 'cfke.io/provider': pin } } : {},
    });
    if (unscheduled) {
      events.push(
        slimEvent({
          involvedObject: { kind: 'Pod', name: `app-${i}`, namespace },
          reason: 'FailedScheduling',
          message:
            "0/8 nodes are available: didn't find available persistent volumes to bind.",
          lastTimestamp: AT,
        }),
      );
    }
  }
  const nodes = Array.from({ length: Math.ceil(n / 20) }, (_, i) =>
    slimNode({
      metadata: {
        name: `node-${i}`,
        labels: { 'cfke.io/provider': PROVIDERS[i % 2].name },
      },
    }),
  );
  const csiNodes = nodes.map((node, i) => ({
    name: node.name,
    drivers:
      oneGroup || i % 10 === 0 ? [] : [{ name: PROVIDERS[i % 2].driver }],
  }));
  return {
    registry,
    storageClasses,
    pvcs,
    pvs,
    pods,
    events,
    nodes,
    csiNodes,
  };
}

/** Best wall and CPU time of `runs` calls, after one warm-up call. */
function best(fn: () => void, runs: number) {
  fn();
  let wall = Infinity;
  let cpu = Infinity;
  for (let i = 0; i < runs; i++) {
    const c = process.cpuUsage();
    const t = performance.now();
    fn();
    wall = Math.min(wall, performance.now() - t);
    const used = process.cpuUsage(c);
    cpu = Math.min(cpu, (used.user + used.system) / 1000);
  }
  return { wall, cpu };
}

/**
 * Prints what the storage findings of a whole cluster cost (`storageFindings`, then sorting and
 * counting them as the platform view does) at growing sizes, in this process: best of `runs`
 * warm calls each, wall and CPU time, and each size's time over the first size's. Linear work
 * doubles with the size; quadratic work quadruples.
 */
export function printFindingsScaling(
  registry: ProviderRegistry,
  sizes: number[],
  runs: number,
  oneGroup: boolean,
) {
  console.log(
    `storage findings of a whole cluster${
      oneGroup
        ? ', every volume Released and every node without its plugin'
        : ''
    } (best of ${runs} warm calls; CPU time in brackets)`,
  );
  let first: number | undefined;
  for (const n of sizes) {
    const input = findingsCluster(registry, n, oneGroup);
    let count = 0;
    const find = best(() => {
      count = storageFindings(input).length;
    }, runs);
    const all = storageFindings(input);
    const summarize = best(() => summarizeFindings([...all]), runs);
    first ??= find.cpu / n;
    console.log(
      `  ${n} claims, volumes and pods, ${count} findings: storageFindings ${ms(
        find.wall,
      )} (${ms(find.cpu)}), ${(find.cpu / n / first).toFixed(
        2,
      )}× the first size's CPU per item; sorted and counted ${ms(
        summarize.wall,
      )} (${ms(summarize.cpu)})`,
    );
  }
}
