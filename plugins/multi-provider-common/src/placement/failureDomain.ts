import {
  ClusterFailureDomain,
  FailureDomain,
  ServiceVerdict,
  Verdict,
} from '../api/failureDomain';
import { labelSelectorMatches } from '../kube/labelSelector';
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
 *
 * @public
 */
export type VolumeTopology = Record<string, NodeSelectorTerm[]>;

/**
 * Input of {@link analyseFailureDomain}.
 *
 * @public
 */
export interface FailureDomainInput {
  nodes: Iterable<SlimNode> | Map<string, NodeInfo>;
  pods: Iterable<SlimPod>;
  registry: ProviderRegistry;
  domain: FailureDomain;
  volumeTopology?: VolumeTopology;
}

/**
 * Whether a node belongs to the failure domain.
 *
 * @public
 */
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

/**
 * Least-allocated eligible node with room for the pod that the pod's (and its neighbours')
 * scheduling constraints admit; notes the causes otherwise.
 */
function tryPlace(
  pod: SlimPod,
  eligibility: Eligibility,
  causes: Causes,
  admits: ((t: Free) => string | undefined) | undefined,
) {
  const cpu = pod.requests?.cpuMillis ?? 0;
  const mem = pod.requests?.memoryBytes ?? 0;
  let best: Free | undefined;
  const refused = new Map<Free, string>();
  for (const t of eligibility.targets) {
    if (t.pods < 1 || t.cpuMillis < cpu || t.memoryBytes < mem) continue;
    const refusal = admits?.(t);
    if (refusal) {
      refused.set(t, refusal);
      continue;
    }
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
      let cause = refused.get(t) ?? 'not enough free memory';
      if (t.pods < 1) cause = 'no free pod slots';
      else if (t.cpuMillis < cpu) cause = 'not enough free cpu';
      causes.set(cause, (causes.get(cause) ?? 0) + 1);
    }
  }
  return best;
}

/** What the node lifecycle controller puts on a node that stops reporting. */
const UNREACHABLE_TAINT = {
  key: 'node.kubernetes.io/unreachable',
  effect: 'NoSchedule',
};

/**
 * Where pods run during the analysis (survivors, then re-placed pods), for the constraints that
 * depend on other pods: required pod anti-affinity (both directions) and topology spread with
 * `whenUnsatisfiable: DoNotSchedule`. Lost nodes stay topology domains with none of their pods,
 * as they do for the scheduler while their Node objects remain (`nodeTaintsPolicy: Ignore`, the
 * default). With `nodeTaintsPolicy: Honor` they are no domain unless the pod tolerates the
 * `node.kubernetes.io/unreachable:NoSchedule` taint the node lifecycle controller puts on nodes
 * that stop reporting, so the lost replicas may join the surviving domains.
 */
class Occupancy {
  private readonly byNode = new Map<string, SlimPod[]>();
  /** Pods carrying required anti-affinity, which may refuse newcomers near them. */
  private readonly repelling: Array<{ pod: SlimPod; node: string }> = [];
  private readonly domainNodes = new Map<string, Map<string, string[]>>();

  constructor(
    private readonly infos: Map<string, NodeInfo>,
    private readonly lost: ReadonlySet<string>,
  ) {}

  add(pod: SlimPod, node: string) {
    const list = this.byNode.get(node);
    if (list) list.push(pod);
    else this.byNode.set(node, [pod]);
    if (pod.intent?.podAntiAffinity) this.repelling.push({ pod, node });
  }

  private label(node: string, key: string): string | undefined {
    return this.infos.get(node)?.node.labels[key];
  }

  /** Node names per value of a topology key. */
  private domains(key: string): Map<string, string[]> {
    let d = this.domainNodes.get(key);
    if (!d) {
      d = new Map();
      for (const info of this.infos.values()) {
        const v = info.node.labels[key];
        if (v === undefined) continue;
        const list = d.get(v);
        if (list) list.push(info.node.name);
        else d.set(v, [info.node.name]);
      }
      this.domainNodes.set(key, d);
    }
    return d;
  }

  private countIn(
    nodes: string[],
    match: (p: SlimPod) => boolean,
    include: (node: string) => boolean = () => true,
  ): number {
    let n = 0;
    for (const node of nodes) {
      if (!include(node)) continue;
      for (const p of this.byNode.get(node) ?? []) if (match(p)) n += 1;
    }
    return n;
  }

  /** Whether any pod-dependent constraint can refuse this pod anywhere. */
  constrains(pod: SlimPod): boolean {
    return (
      this.repelling.length > 0 ||
      !!pod.intent?.podAntiAffinity ||
      !!pod.intent?.topologySpread?.some(
        c => c.whenUnsatisfiable === 'DoNotSchedule',
      )
    );
  }

  /** Why the pod may not go to `node` (a cause for the verdict), or undefined. */
  refusal(pod: SlimPod, node: string): string | undefined {
    for (const term of pod.intent?.podAntiAffinity ?? []) {
      const v = this.label(node, term.topologyKey);
      if (v === undefined) continue;
      const namespaces = term.namespaces ?? [pod.namespace];
      const near = this.domains(term.topologyKey).get(v) ?? [];
      const match = (p: SlimPod) =>
        namespaces.includes(p.namespace) &&
        labelSelectorMatches(term.labelSelector, p.labels);
      if (this.countIn(near, match) > 0)
        return `required pod anti-affinity per ${term.topologyKey}`;
    }
    for (const { pod: other, node: otherNode } of this.repelling) {
      for (const term of other.intent!.podAntiAffinity!) {
        const v = this.label(node, term.topologyKey);
        if (v === undefined || this.label(otherNode, term.topologyKey) !== v)
          continue;
        if (
          (term.namespaces ?? [other.namespace]).includes(pod.namespace) &&
          labelSelectorMatches(term.labelSelector, pod.labels)
        ) {
          return `pod anti-affinity of ${other.namespace}/${other.name} per ${term.topologyKey}`;
        }
      }
    }
    for (const c of pod.intent?.topologySpread ?? []) {
      if (c.whenUnsatisfiable !== 'DoNotSchedule') continue;
      const v = this.label(node, c.topologyKey);
      const what = `topology spread over ${c.topologyKey} (maxSkew ${c.maxSkew}, DoNotSchedule)`;
      if (v === undefined) return what;
      const match = (p: SlimPod) =>
        p.namespace === pod.namespace &&
        labelSelectorMatches(c.labelSelector, p.labels);
      // Only nodes the pod's nodeSelector / required affinity admit are domains
      // (nodeAffinityPolicy Honor, the default); taints only count when the constraint asks.
      const honorTaints = c.nodeTaintsPolicy === 'Honor';
      const admitted = (n: string) => {
        const candidate = this.infos.get(n)!.node;
        if (hardIntentViolations(pod.intent, candidate).length > 0)
          return false;
        if (!honorTaints) return true;
        const taints = this.lost.has(n)
          ? [...(candidate.taints ?? []), UNREACHABLE_TAINT]
          : candidate.taints;
        return (
          untoleratedTaints(pod.intent?.tolerations, { ...candidate, taints })
            .length === 0
        );
      };
      let min = Infinity;
      let here = 0;
      for (const [value, nodes] of this.domains(c.topologyKey)) {
        if (!nodes.some(admitted)) continue;
        const count = this.countIn(nodes, match, admitted);
        min = Math.min(min, count);
        if (value === v) here = count;
      }
      const self = match(pod) ? 1 : 0;
      if (here + self - (min === Infinity ? 0 : min) > c.maxSkew) return what;
    }
    return undefined;
  }
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
 * affinity, tolerate the taints, reach their volumes, have free allocatable cpu, memory and pod
 * slots, and where required pod anti-affinity (theirs and their neighbours') and topology spread
 * constraints with `whenUnsatisfiable: DoNotSchedule` admit them. DaemonSet pods and bare pods
 * are not re-placed.
 *
 * @public
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
  const occupancy = new Occupancy(infos, lost);
  for (const p of pods) {
    if (p.nodeName && !lost.has(p.nodeName)) occupancy.add(p, p.nodeName);
  }
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
    const target = tryPlace(
      pod,
      eligibility,
      causes,
      occupancy.constrains(pod)
        ? t => occupancy.refusal(pod, t.info.node.name)
        : undefined,
    );
    if (!target) {
      unplaced.set(pod, describeCauses(causes, targets.length));
      continue;
    }
    target.cpuMillis -= pod.requests?.cpuMillis ?? 0;
    target.memoryBytes -= pod.requests?.memoryBytes ?? 0;
    target.pods -= 1;
    placed.set(pod, target.info.node.name);
    occupancy.add(pod, target.info.node.name);
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
