import {
  ClusterFailureDomain,
  FailureDomain,
  ServiceVerdict,
  Verdict,
} from '../api/failureDomain';
import {
  hardIntentViolations,
  termMatches,
  untoleratedTaints,
} from '../kube/matching';
import { SlimNode, SlimPod, isActivePod } from '../kube/slim';
import { NodeSelectorTerm } from '../kube/types';
import { ProviderRegistry } from '../registry/createProviderRegistry';
import { NodeInfo, describeNodes } from './nodeInfo';
import { requestsPerNode } from './platformSummary';
import { Service, groupServices } from './services';

/**
 * Where each claim's volume can be used: `namespace/claimName` → node selector terms (ORed) of
 * its PersistentVolume's node affinity. A pod mounting the claim can only move to a node
 * matching them.
 */
export type VolumeTopology = Record<string, NodeSelectorTerm[]>;

/** Input of {@link analyseFailureDomain}. */
export interface FailureDomainInput {
  nodes: Iterable<SlimNode> | Map<string, NodeInfo>;
  pods: Iterable<SlimPod>;
  registry: ProviderRegistry;
  domain: FailureDomain;
  volumeTopology?: VolumeTopology;
}

/** Whether a node belongs to the failure domain. */
export function nodeInDomain(info: NodeInfo, domain: FailureDomain): boolean {
  switch (domain.level) {
    case 'provider':
      return info.provider === domain.name;
    case 'region':
      return info.region === domain.name;
    default:
      return info.zone === domain.name;
  }
}

interface Free {
  info: NodeInfo;
  cpuMillis: number;
  memoryBytes: number;
  pods: number;
}

/** Why no surviving node took a pod, counted per cause. */
type Causes = Map<string, number>;

/** Surviving nodes a pod may use regardless of free capacity, with why the others refuse. */
interface Eligibility {
  targets: Free[];
  causes: Causes;
}

function staticEligibility(
  pod: SlimPod,
  targets: Free[],
  volumeTopology: VolumeTopology | undefined,
): Eligibility {
  const causes: Causes = new Map();
  const note = (cause: string) =>
    causes.set(cause, (causes.get(cause) ?? 0) + 1);
  const eligible: Free[] = [];
  for (const t of targets) {
    const { node } = t.info;
    if (hardIntentViolations(pod.intent, node).length > 0) {
      note(
        pod.intent?.nodeSelector
          ? `nodeSelector ${Object.entries(pod.intent.nodeSelector)
              .map(([k, v]) => `${k}=${v}`)
              .join(',')}`
          : 'required node affinity',
      );
      continue;
    }
    const taints = untoleratedTaints(pod.intent?.tolerations, node);
    if (taints.length > 0) {
      note(`untolerated taint ${taints[0]}`);
      continue;
    }
    const volumeBlocked = (pod.claims ?? []).find(claim => {
      const terms = volumeTopology?.[`${pod.namespace}/${claim}`];
      return (
        terms &&
        terms.length > 0 &&
        !terms.some(term => termMatches(term, node))
      );
    });
    if (volumeBlocked) {
      note(`volume of claim ${volumeBlocked} is not reachable there`);
      continue;
    }
    eligible.push(t);
  }
  return { targets: eligible, causes };
}

/** Least-allocated eligible node with room for the pod; notes capacity causes otherwise. */
function tryPlace(pod: SlimPod, eligibility: Eligibility, causes: Causes) {
  const cpu = pod.requests?.cpuMillis ?? 0;
  const mem = pod.requests?.memoryBytes ?? 0;
  let best: Free | undefined;
  for (const t of eligibility.targets) {
    if (t.pods < 1 || t.cpuMillis < cpu || t.memoryBytes < mem) continue;
    if (
      !best ||
      t.cpuMillis > best.cpuMillis ||
      (t.cpuMillis === best.cpuMillis && t.info.node.name < best.info.node.name)
    ) {
      best = t;
    }
  }
  if (!best) {
    for (const [k, v] of eligibility.causes) causes.set(k, v);
    for (const t of eligibility.targets) {
      let cause = 'not enough free memory';
      if (t.pods < 1) cause = 'no free pod slots';
      else if (t.cpuMillis < cpu) cause = 'not enough free cpu';
      causes.set(cause, (causes.get(cause) ?? 0) + 1);
    }
  }
  return best;
}

function describeCauses(causes: Causes, targets: number): string {
  if (targets === 0) return 'no surviving schedulable node';
  return [...causes.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([cause, n]) => `${cause} (${n} node${n === 1 ? '' : 's'})`)
    .join('; ');
}

function domainWords(domain: FailureDomain) {
  return `${domain.level} ${domain.name}`;
}

/**
 * What the loss of a provider, region or zone does to every service. Pods on surviving nodes
 * stay; lost pods of controllers that recreate them are placed greedily (largest requests
 * first) on surviving Ready, schedulable nodes that satisfy their nodeSelector / required
 * affinity, tolerate the taints, reach their volumes and have free allocatable cpu, memory and
 * pod slots. DaemonSet pods and bare pods are not re-placed.
 */
export function analyseFailureDomain(
  input: FailureDomainInput,
): Omit<ClusterFailureDomain, 'cluster' | 'state'> {
  const { domain, registry } = input;
  const infos =
    input.nodes instanceof Map
      ? input.nodes
      : describeNodes(input.nodes, registry);
  const pods = [...input.pods].filter(p => isActivePod(p) && !p.terminating);
  const lostNodes = [...infos.values()]
    .filter(i => nodeInDomain(i, domain))
    .map(i => i.node.name)
    .sort();
  const lost = new Set(lostNodes);
  const used = requestsPerNode(pods);
  const targets: Free[] = [...infos.values()]
    .filter(
      i => !lost.has(i.node.name) && i.node.ready && !i.node.unschedulable,
    )
    .map(i => {
      const u = used.get(i.node.name);
      return {
        info: i,
        cpuMillis: i.node.allocatable.cpuMillis - (u?.cpuMillis ?? 0),
        memoryBytes: i.node.allocatable.memoryBytes - (u?.memoryBytes ?? 0),
        pods: i.node.allocatable.pods - (u?.pods ?? 0),
      };
    });

  const services = groupServices(pods, registry);
  const lostPods: Array<{ service: Service; pod: SlimPod }> = [];
  for (const service of services) {
    for (const pod of service.pods) {
      if (pod.nodeName && lost.has(pod.nodeName))
        lostPods.push({ service, pod });
    }
  }
  // First-fit decreasing: big pods first so small ones fill the gaps.
  lostPods.sort(
    (a, b) =>
      (b.pod.requests?.cpuMillis ?? 0) - (a.pod.requests?.cpuMillis ?? 0) ||
      (b.pod.requests?.memoryBytes ?? 0) - (a.pod.requests?.memoryBytes ?? 0) ||
      `${a.pod.namespace}/${a.pod.name}`.localeCompare(
        `${b.pod.namespace}/${b.pod.name}`,
      ),
  );
  const eligibilityCache = new Map<string, Eligibility>();
  const placed = new Map<SlimPod, string>();
  const unplaced = new Map<SlimPod, string>();
  for (const { pod } of lostPods) {
    const kind = pod.owner?.kind;
    if (kind === 'DaemonSet') {
      unplaced.set(pod, 'DaemonSet pods run per node and are not moved');
      continue;
    }
    if (!kind || kind === 'Node') {
      unplaced.set(pod, 'no controller recreates this pod');
      continue;
    }
    // Pods of one workload share their constraints: decide eligibility once per shape.
    const signature = JSON.stringify([
      pod.intent,
      pod.claims ? [pod.namespace, pod.claims] : undefined,
    ]);
    let eligibility = eligibilityCache.get(signature);
    if (!eligibility) {
      eligibility = staticEligibility(pod, targets, input.volumeTopology);
      eligibilityCache.set(signature, eligibility);
    }
    const causes: Causes = new Map();
    const target = tryPlace(pod, eligibility, causes);
    if (!target) {
      unplaced.set(pod, describeCauses(causes, targets.length));
      continue;
    }
    target.cpuMillis -= pod.requests?.cpuMillis ?? 0;
    target.memoryBytes -= pod.requests?.memoryBytes ?? 0;
    target.pods -= 1;
    placed.set(pod, target.info.node.name);
  }

  const verdicts: ServiceVerdict[] = services.map(service =>
    verdictOf(service, lost, placed, unplaced, infos, domain),
  );
  const summary = { survives: 0, degraded: 0, down: 0 };
  for (const v of verdicts) summary[v.verdict] += 1;
  return { lostNodes, services: verdicts, summary };
}

function verdictOf(
  service: Service,
  lost: Set<string>,
  placed: Map<SlimPod, string>,
  unplaced: Map<SlimPod, string>,
  infos: Map<string, NodeInfo>,
  domain: FailureDomain,
): ServiceVerdict {
  const scheduled = service.pods.filter(p => p.nodeName);
  const pending = service.pods.length - scheduled.length;
  const lostPods = scheduled.filter(p => lost.has(p.nodeName!));
  const survivors = scheduled.length - lostPods.length;
  const replaced = lostPods.filter(p => placed.has(p)).length;
  const before = scheduled.length;
  const after = survivors + replaced;
  const reasons: string[] = [];
  const daemonOnly = service.workloads.every(w => w.kind === 'DaemonSet');

  let verdict: Verdict;
  if (before === 0) {
    verdict = 'down';
    reasons.push(
      `no replica is running even before the loss (${pending} pending)`,
    );
  } else if (lostPods.length === 0) {
    verdict = 'survives';
    reasons.push(`no replica runs in ${domainWords(domain)}`);
  } else if (daemonOnly) {
    verdict = survivors > 0 ? 'survives' : 'down';
    reasons.push(
      survivors > 0
        ? `runs per node: ${survivors} pod(s) remain on surviving nodes`
        : `runs per node and every node it runs on is in ${domainWords(
            domain,
          )}`,
    );
  } else {
    verdict = 'survives';
    if (after === 0) verdict = 'down';
    else if (after < before) verdict = 'degraded';
    reasons.push(
      `${lostPods.length} of ${before} replica(s) run in ${domainWords(
        domain,
      )}`,
    );
    if (replaced > 0) {
      const where = [
        ...new Set(lostPods.map(p => placed.get(p)).filter(Boolean)),
      ];
      reasons.push(`${replaced} can be re-placed on ${where.join(', ')}`);
    }
    const why = new Map<string, number>();
    for (const p of lostPods) {
      const r = unplaced.get(p);
      if (r) why.set(r, (why.get(r) ?? 0) + 1);
    }
    for (const [r, n] of why) reasons.push(`${n} cannot be re-placed: ${r}`);
  }
  if (service.redundantPerProvider) {
    const byProvider = new Map<string, number>();
    for (const p of scheduled) {
      if (lost.has(p.nodeName!)) continue;
      const prov = infos.get(p.nodeName!)?.provider ?? 'unknown';
      byProvider.set(prov, (byProvider.get(prov) ?? 0) + 1);
    }
    reasons.push(
      byProvider.size > 0
        ? `one instance per provider: instance(s) on ${[...byProvider.keys()]
            .sort()
            .join(', ')} keep serving`
        : 'one instance per provider, but no instance outside the domain keeps serving',
    );
  }
  return {
    id: service.id,
    namespace: service.namespace,
    name: service.name,
    workloads: service.workloads,
    redundantPerProvider: service.redundantPerProvider,
    affected: lostPods.length > 0,
    verdict,
    replicasBefore: before,
    replicasAfter: lostPods.length === 0 ? before : after,
    lost: lostPods.length,
    replaced,
    reasons,
  };
}
