import {
  AdviceChange,
  AdviceKind,
  ClusterAdvice,
  ServiceAdvice,
} from '../api/advice';
import { ServiceVerdict, Verdict } from '../api/failureDomain';
import { hardIntentViolations, untoleratedTaints } from '../kube/matching';
import { PlacementIntent, SlimPod, isActivePod } from '../kube/slim';
import { NodeSelectorTerm } from '../kube/types';
import {
  ProviderDefinition,
  ProviderRegistry,
  findProvider,
} from '../registry/createProviderRegistry';
import {
  TOPOLOGY_REGION_LABEL,
  TOPOLOGY_ZONE_LABEL,
} from '../registry/providerOfNode';
import { SlimPVC } from '../storage/slim';
import { nodeAndPodCosts, podSetCost } from '../cost/nodeCost';
import { POD_SHARE_RULE } from '../cost/podShare';
import { reportCurrency } from '../cost/priceAge';
import { claimCosts } from '../cost/storageCost';
import {
  FailureDomainInput,
  VolumeTopology,
  analyseFailureDomain,
  nodeInDomain,
} from './failureDomain';
import { NodeInfo, describeNodes } from './nodeInfo';
import { pinnedProviderOfIntent } from './pinnedProvider';
import { requestsPerNode } from './platformSummary';
import {
  APP_INSTANCE_LABEL,
  Service,
  groupServices,
  workloadKey,
} from './services';

/** Labels that pin a pod to a region or zone (current and legacy spellings). */
const LOCATION_LABELS = [
  TOPOLOGY_REGION_LABEL,
  TOPOLOGY_ZONE_LABEL,
  'failure-domain.beta.kubernetes.io/region',
  'failure-domain.beta.kubernetes.io/zone',
];

/** Controllers that recreate their pods elsewhere (the analysis re-places only theirs). */
const RECREATING = new Set(['Deployment', 'ReplicaSet', 'StatefulSet']);

/** The template that writes each kind of change, when one does. */
const TEMPLATE_OF: Partial<Record<AdviceKind, string>> = {
  'extra-replica': 'provider-workload',
  'second-instance': 'stateful-workload',
};

/**
 * The label that pins a pod to a provider: the provider's first detection label with a value
 * (`cfke.io/provider=hetzner`), the one the provider components of gitops/ set as nodeSelector.
 *
 * @public
 */
export function providerPinLabel(
  provider: ProviderDefinition,
): { key: string; value: string } | undefined {
  const label = provider.detection.labels.find(l => l.value !== undefined);
  return label ? { key: label.key, value: label.value! } : undefined;
}

/** Whether a node label key says where a node is: provider detection or region / zone. */
function isPlacementKey(key: string, registry: ProviderRegistry): boolean {
  return (
    LOCATION_LABELS.includes(key) ||
    registry.providers.some(
      p =>
        p.detection.labels.some(l => l.key === key) ||
        p.detection.labelPrefixes.some(prefix => key.startsWith(prefix)),
    )
  );
}

/** Whether the intent pins the pod to a provider, region or zone. */
function hasPlacementPin(
  intent: PlacementIntent | undefined,
  registry: ProviderRegistry,
): boolean {
  return (
    Object.keys(intent?.nodeSelector ?? {}).some(k =>
      isPlacementKey(k, registry),
    ) ||
    (intent?.requiredTerms ?? []).some(t =>
      (t.matchExpressions ?? []).some(e => isPlacementKey(e.key, registry)),
    )
  );
}

/** The intent without its provider / region / zone pins; other constraints stay. */
function unpinned(
  intent: PlacementIntent | undefined,
  registry: ProviderRegistry,
): PlacementIntent {
  const out: PlacementIntent = { ...intent };
  const selector = Object.entries(intent?.nodeSelector ?? {}).filter(
    ([k]) => !isPlacementKey(k, registry),
  );
  if (selector.length > 0) out.nodeSelector = Object.fromEntries(selector);
  else delete out.nodeSelector;
  const terms: NodeSelectorTerm[] = [];
  for (const t of intent?.requiredTerms ?? []) {
    const kept = (t.matchExpressions ?? []).filter(
      e => !isPlacementKey(e.key, registry),
    );
    // A term left with nothing would match every node: the whole requirement is gone then.
    if (kept.length === 0 && !t.matchFields?.length) {
      terms.length = 0;
      break;
    }
    terms.push({ ...t, matchExpressions: kept });
  }
  if (terms.length > 0) out.requiredTerms = terms;
  else delete out.requiredTerms;
  return out;
}

/** The intent with its placement pins replaced by a pin to one provider. */
function pinnedTo(
  intent: PlacementIntent | undefined,
  pin: { key: string; value: string },
  registry: ProviderRegistry,
): PlacementIntent {
  const out = unpinned(intent, registry);
  out.nodeSelector = { ...out.nodeSelector, [pin.key]: pin.value };
  return out;
}

function withoutProviderSuffix(name: string, registry: ProviderRegistry) {
  for (const p of registry.providers) {
    if (name.endsWith(`-${p.name}`)) return name.slice(0, -(p.name.length + 1));
  }
  return name;
}

/** `NAME-PROVIDER`: how the templates name a workload's instance on a provider. */
function instanceName(
  workload: string,
  provider: string,
  registry: ProviderRegistry,
): string {
  return `${withoutProviderSuffix(workload, registry)}-${provider}`;
}

/**
 * The model with a change applied: the pods (changed and added) and the volume topology the
 * same analysis then reads, with the objects the change adds for the cost model.
 *
 * @public
 */
export interface AdvisedModel {
  pods: SlimPod[];
  volumeTopology?: VolumeTopology;
  /** Pods the change adds. */
  addedPods: SlimPod[];
  /** Claims the change adds (second-instance). */
  addedClaims: SlimPVC[];
}

/**
 * What {@link applyAdviceChange} and {@link adviseFailureDomain} read: the analysis's input
 * without the domain, and the claims (for the size of a second instance's volume).
 *
 * @public
 */
export type AdviceModelInput = Omit<FailureDomainInput, 'domain'> & {
  claims?: Iterable<SlimPVC>;
};

function nodeInfos(input: AdviceModelInput): Map<string, NodeInfo> {
  return input.nodes instanceof Map
    ? input.nodes
    : describeNodes(input.nodes, input.registry);
}

/** The pods of the change's workload. */
function workloadPods(pods: SlimPod[], change: AdviceChange): SlimPod[] {
  return pods.filter(
    p =>
      p.namespace === change.namespace &&
      p.owner?.kind === change.workload.kind &&
      p.owner.name === change.workload.name,
  );
}

/**
 * Applies a change to the model: `spread` rewrites the workload's pods' intent (pins lifted, a
 * spread over the provider label added; the replicas keep their nodes until the next rollout);
 * `extra-replica` and `second-instance` add an instance `NAME-PROVIDER` of as many replicas as
 * the workload runs, pinned to `change.provider` and placed on `change.node`, with (for
 * `second-instance`) one claim per claim of the original on the provider's first storage class,
 * reachable in the node's region or zone as the provider's CSI topology says; the existing
 * replicas keep their nodes and are pinned to `change.homeProvider`, as the template that writes
 * one instance per provider pins them.
 *
 * @public
 */
export function applyAdviceChange(
  input: AdviceModelInput,
  change: AdviceChange,
): AdvisedModel {
  const { registry } = input;
  const pods = [...input.pods];
  const own = workloadPods(pods, change);
  const volumeTopology = input.volumeTopology
    ? { ...input.volumeTopology }
    : undefined;
  if (change.kind === 'spread') {
    const provider = registry.providers.map(providerPinLabel).find(Boolean);
    const changed = new Set(own);
    return {
      pods: pods.map(p => {
        if (!changed.has(p)) return p;
        const intent = unpinned(p.intent, registry);
        intent.topologySpread = [
          ...(intent.topologySpread ?? []),
          {
            topologyKey: provider?.key ?? TOPOLOGY_REGION_LABEL,
            maxSkew: 1,
            whenUnsatisfiable: 'ScheduleAnyway',
            ...(p.labels ? { labelSelector: { matchLabels: p.labels } } : {}),
          },
        ];
        return { ...p, intent };
      }),
      volumeTopology,
      addedPods: [],
      addedClaims: [],
    };
  }
  const target = findProvider(registry, change.provider);
  const pin = target && providerPinLabel(target);
  const home = findProvider(registry, change.homeProvider);
  const homePin = home && providerPinLabel(home);
  if (!target || !pin || !homePin || !change.node || own.length === 0) {
    throw new Error(
      `change ${change.kind} of ${change.namespace}/${change.workload.name} names no priced provider, pin label or node`,
    );
  }
  const template = own[0];
  const name = instanceName(change.workload.name, target.name, registry);
  const intent = pinnedTo(template.intent, pin, registry);
  const addedClaims: SlimPVC[] = [];
  const claimNames: string[] = [];
  const topology: VolumeTopology = { ...input.volumeTopology };
  if (change.kind === 'second-instance') {
    const storageClass =
      change.storageClass ?? target.storage?.classes[0]?.name;
    const size = change.size ?? target.storage?.minVolumeSize ?? '10Gi';
    const node = nodeInfos(input).get(change.node);
    for (const claim of template.claims ?? []) {
      const claimName = `${withoutProviderSuffix(claim, registry)}-${
        target.name
      }`;
      claimNames.push(claimName);
      addedClaims.push({
        metadata: { name: claimName, namespace: change.namespace },
        spec: {
          storageClassName: storageClass ?? null,
          accessModes: ['ReadWriteOnce'],
          resources: { requests: { storage: size } },
        },
        status: { phase: 'Pending' },
      });
      const key =
        target.storage?.topologyLevel === 'zone'
          ? TOPOLOGY_ZONE_LABEL
          : TOPOLOGY_REGION_LABEL;
      const at = node?.node.labels[key];
      if (at) {
        topology[`${change.namespace}/${claimName}`] = [
          { matchExpressions: [{ key, operator: 'In', values: [at] }] },
        ];
      }
    }
  }
  const addedPods: SlimPod[] = own.map((p, i) => {
    const added: SlimPod = {
      name: `${name}-advice-${i}`,
      namespace: change.namespace,
      owner: { kind: change.workload.kind, name },
      nodeName: change.node,
      phase: 'Running',
      intent,
    };
    if (p.labels) {
      added.labels = {
        ...p.labels,
        ...(p.labels[APP_INSTANCE_LABEL] ? { [APP_INSTANCE_LABEL]: name } : {}),
      };
    }
    if (p.requests) added.requests = p.requests;
    if (claimNames.length > 0) added.claims = claimNames;
    return added;
  });
  // The template writes one instance per provider: the existing replicas are pinned to theirs.
  const ownSet = new Set(own);
  const kept = pods.map(p =>
    ownSet.has(p) && pinnedProviderOfIntent(p.intent, registry) !== home.name
      ? {
          ...p,
          intent: {
            ...p.intent,
            nodeSelector: {
              ...p.intent?.nodeSelector,
              [homePin.key]: homePin.value,
            },
          },
        }
      : p,
  );
  return {
    pods: [...kept, ...addedPods],
    volumeTopology:
      change.kind === 'second-instance' ? topology : volumeTopology,
    addedPods,
    addedClaims,
  };
}

/**
 * Input of {@link adviseFailureDomain}: the analysis's input, the claims (sizes of volumes to
 * copy) and optionally the services (`namespace/name`) to advise on.
 *
 * @public
 */
export interface FailureDomainAdviceInput extends AdviceModelInput {
  domain: FailureDomainInput['domain'];
  services?: string[];
}

const VERDICT_RANK: Record<Verdict, number> = {
  survives: 0,
  degraded: 1,
  down: 2,
};
const KIND_RANK: Record<AdviceKind, number> = {
  spread: 0,
  'extra-replica': 1,
  'second-instance': 2,
};

/** Orders candidates: best verdict, then cheapest (unknown last), then simplest kind. */
function byMerit(a: AdviceChange, b: AdviceChange): number {
  return (
    VERDICT_RANK[a.verdict] - VERDICT_RANK[b.verdict] ||
    (a.monthlyDelta ?? Infinity) - (b.monthlyDelta ?? Infinity) ||
    KIND_RANK[a.kind] - KIND_RANK[b.kind] ||
    (a.provider ?? '').localeCompare(b.provider ?? '')
  );
}

function activeScheduled(pods: Iterable<SlimPod>): SlimPod[] {
  return [...pods].filter(p => isActivePod(p) && !p.terminating);
}

/** The service holding a workload's pods. */
function serviceOfWorkload(
  services: Service[],
  key: string,
): Service | undefined {
  return services.find(s => s.pods.some(p => workloadKey(p) === key));
}

/**
 * The least-allocated surviving node of `provider` that the pinned intent admits and that has
 * free requests for all `replicas` (by the same free-capacity rule as the analysis).
 */
function pickNode(
  template: SlimPod,
  replicas: number,
  intent: PlacementIntent,
  provider: string,
  infos: Map<string, NodeInfo>,
  domain: FailureDomainInput['domain'],
  used: ReturnType<typeof requestsPerNode>,
): NodeInfo | undefined {
  const cpu = (template.requests?.cpuMillis ?? 0) * replicas;
  const mem = (template.requests?.memoryBytes ?? 0) * replicas;
  let best: { info: NodeInfo; cpu: number } | undefined;
  for (const info of infos.values()) {
    const { node } = info;
    if (
      info.provider !== provider ||
      nodeInDomain(info, domain) ||
      !node.ready ||
      node.unschedulable ||
      hardIntentViolations(intent, node).length > 0 ||
      untoleratedTaints(intent.tolerations, node).length > 0
    ) {
      continue;
    }
    const u = used.get(node.name);
    const freeCpu = node.allocatable.cpuMillis - (u?.cpuMillis ?? 0);
    const freeMem = node.allocatable.memoryBytes - (u?.memoryBytes ?? 0);
    const freePods = node.allocatable.pods - (u?.pods ?? 0);
    if (freeCpu < cpu || freeMem < mem || freePods < replicas) continue;
    if (
      !best ||
      freeCpu > best.cpu ||
      (freeCpu === best.cpu && node.name < best.info.node.name)
    ) {
      best = { info, cpu: freeCpu };
    }
  }
  return best?.info;
}

/** The size of a pod's first claim, from the claims given. */
function claimSize(pod: SlimPod, claims: SlimPVC[]): string | undefined {
  const name = pod.claims?.[0];
  const claim = claims.find(
    c => c.metadata.namespace === pod.namespace && c.metadata.name === name,
  );
  return claim?.status.capacity ?? claim?.spec.resources?.requests?.storage;
}

type Skeleton = Omit<
  AdviceChange,
  | 'monthlyDelta'
  | 'unknownReason'
  | 'verdict'
  | 'replicasBefore'
  | 'replicasAfter'
  | 'reasons'
>;

/** The changes worth weighing for one service, and why others were not. */
function candidateChanges(
  service: Service,
  lost: ReadonlySet<string>,
  infos: Map<string, NodeInfo>,
  input: FailureDomainAdviceInput,
  used: ReturnType<typeof requestsPerNode>,
  claims: SlimPVC[],
): { changes: Skeleton[]; notes: string[] } {
  const { registry, domain } = input;
  const changes: Skeleton[] = [];
  const notes: string[] = [];
  const byWorkload = new Map<string, SlimPod[]>();
  for (const p of service.pods) {
    if (!p.nodeName) continue;
    const key = workloadKey(p);
    byWorkload.set(key, [...(byWorkload.get(key) ?? []), p]);
  }
  // Providers the service already has a pinned instance on.
  const covered = new Set(
    [...byWorkload.values()]
      .map(own => pinnedProviderOfIntent(own[0].intent, registry))
      .filter((p): p is string => !!p),
  );
  for (const own of byWorkload.values()) {
    if (!own.some(p => lost.has(p.nodeName!))) continue;
    const tpl = own[0];
    const kind = tpl.owner?.kind;
    const label = `${kind ?? 'Pod'}/${tpl.owner?.name ?? tpl.name}`;
    if (!kind || !RECREATING.has(kind)) {
      notes.push(
        `${label}: no advice for ${
          kind ? `a ${kind}` : 'a pod without a controller'
        } (only Deployments and StatefulSets are re-placed or copied)`,
      );
      continue;
    }
    const workload = { kind, name: tpl.owner!.name };
    const stateful = own.some(p => (p.claims ?? []).length > 0);
    if (!stateful && hasPlacementPin(tpl.intent, registry)) {
      changes.push({
        kind: 'spread',
        summary: `Lift the provider/region/zone pin of ${label} and spread its replicas over providers (topology spread constraint, maxSkew 1, ScheduleAnyway); the replicas keep their nodes until the next rollout`,
        namespace: tpl.namespace,
        workload,
      });
    }
    const home =
      pinnedProviderOfIntent(tpl.intent, registry) ??
      infos.get(tpl.nodeName!)?.provider;
    if (!home) {
      notes.push(`${label}: runs on nodes of no known provider`);
      continue;
    }
    for (const target of registry.providers) {
      const pin = providerPinLabel(target);
      if (!pin || target.name === home || covered.has(target.name)) continue;
      const intent = pinnedTo(tpl.intent, pin, registry);
      const node = pickNode(
        tpl,
        own.length,
        intent,
        target.name,
        infos,
        domain,
        used,
      );
      if (!node) {
        notes.push(
          `${label}: no surviving node of ${target.name} has room for ${own.length} more replica(s)`,
        );
        continue;
      }
      const name = withoutProviderSuffix(workload.name, registry);
      const providers = [home, target.name].filter((p): p is string => !!p);
      const instance = instanceName(workload.name, target.name, registry);
      if (stateful) {
        const storageClass = target.storage?.classes[0]?.name;
        if (!storageClass) {
          notes.push(`${label}: ${target.name} declares no storage class`);
          continue;
        }
        const size =
          claimSize(tpl, claims) ?? target.storage?.minVolumeSize ?? '10Gi';
        changes.push({
          kind: 'second-instance',
          summary: `Add ${instance}: a second instance of ${label} pinned to ${target.name} with its own ${size} volume of class ${storageClass} (the model places it on ${node.node.name})`,
          namespace: tpl.namespace,
          workload,
          ...(home ? { homeProvider: home } : {}),
          provider: target.name,
          node: node.node.name,
          storageClass,
          size,
          template: {
            name: TEMPLATE_OF['second-instance']!,
            formData: {
              name,
              kind: kind === 'StatefulSet' ? 'StatefulSet' : 'Deployment',
              providers,
              size,
            },
          },
        });
      } else {
        changes.push({
          kind: 'extra-replica',
          summary: `Add ${instance}: ${own.length} replica(s) of ${label} pinned to ${target.name} (the model places them on ${node.node.name})`,
          namespace: tpl.namespace,
          workload,
          ...(home ? { homeProvider: home } : {}),
          provider: target.name,
          node: node.node.name,
          template: {
            name: TEMPLATE_OF['extra-replica']!,
            formData: { name, providers, replicas: own.length },
          },
        });
      }
    }
  }
  if (changes.length === 0 && covered.size > 1) {
    notes.push(
      `already one instance per provider (${[...covered]
        .sort()
        .join(
          ', ',
        )}); the instance in the lost domain is pinned there and counts as lost`,
    );
  }
  return { changes, notes };
}

/**
 * For every service whose verdict for the loss of a failure domain is not `survives`, the
 * cheapest change that makes it survive: each candidate change (see {@link AdviceKind}) is
 * applied to the model with {@link applyAdviceChange} and judged by the same
 * {@link analyseFailureDomain}; its monthly delta is the service's cost by the cost rule with
 * the change minus without it, plus the added volumes. When no candidate survives, the advice
 * is the cheapest with the best verdict and says so.
 *
 * @public
 */
export function adviseFailureDomain(
  input: FailureDomainAdviceInput,
): Omit<ClusterAdvice, 'cluster' | 'state'> {
  const { registry, domain } = input;
  const infos = nodeInfos(input);
  const pods = [...input.pods];
  const claims = [...(input.claims ?? [])];
  const base = { ...input, nodes: infos, pods };
  const before = analyseFailureDomain(base);
  const lost = new Set(before.lostNodes);
  const currency = reportCurrency(registry);
  const beforeCosts = nodeAndPodCosts(infos, pods, registry, currency).pods;
  const services = groupServices(activeScheduled(pods), registry);
  const used = requestsPerNode(activeScheduled(pods));
  const wanted = input.services ? new Set(input.services) : undefined;

  const advice: ServiceAdvice[] = [];
  for (const verdict of before.services) {
    if (verdict.verdict === 'survives') continue;
    if (wanted && !wanted.has(verdict.id)) continue;
    const service = services.find(s => s.id === verdict.id)!;
    const head = {
      id: verdict.id,
      namespace: verdict.namespace,
      name: verdict.name,
      verdict: verdict.verdict,
    };
    if (verdict.replicasBefore === 0) {
      advice.push({
        ...head,
        advice: null,
        survives: false,
        candidates: [],
        note: 'no replica runs even before the loss: nothing to protect',
      });
      continue;
    }
    const { changes, notes } = candidateChanges(
      service,
      lost,
      infos,
      input,
      used,
      claims,
    );
    const before$ = podSetCost(service.pods, beforeCosts);
    const candidates = changes
      .map(change =>
        judge(
          change,
          base,
          domain,
          currency,
          before$.monthly,
          before$.unknownPods,
        ),
      )
      .sort(byMerit);
    const best = candidates[0] ?? null;
    const survives = best?.verdict === 'survives';
    if (best && !survives) {
      notes.push(
        `no change weighed makes it survive; the best reads ${best.verdict}`,
      );
    }
    advice.push({
      ...head,
      advice: best,
      survives,
      candidates,
      ...(notes.length > 0 ? { note: notes.join('; ') } : {}),
    });
  }
  return { currency: currency ?? null, rule: POD_SHARE_RULE, services: advice };
}

/** Applies a change, runs the same analysis and the cost model on the changed model. */
function judge(
  change: Skeleton,
  base: AdviceModelInput & { nodes: Map<string, NodeInfo>; pods: SlimPod[] },
  domain: FailureDomainInput['domain'],
  currency: string | undefined,
  beforeMonthly: number,
  beforeUnknown: number,
): AdviceChange {
  const { registry } = base;
  const placeholder: AdviceChange = {
    ...change,
    monthlyDelta: null,
    verdict: 'down',
    replicasBefore: 0,
    replicasAfter: 0,
    reasons: [],
  };
  const model = applyAdviceChange(base, placeholder);
  const after = analyseFailureDomain({
    nodes: base.nodes,
    pods: model.pods,
    registry,
    domain,
    volumeTopology: model.volumeTopology,
  });
  const key = `${change.namespace}/${change.workload.kind}/${change.workload.name}`;
  const service = serviceOfWorkload(
    groupServices(activeScheduled(model.pods), registry),
    key,
  )!;
  const verdict: ServiceVerdict = after.services.find(
    s => s.id === service.id,
  )!;
  const costs = nodeAndPodCosts(base.nodes, model.pods, registry, currency);
  const cost = podSetCost(service.pods, costs.pods);
  const volumes = claimCosts(
    model.addedClaims,
    new Map(),
    new Map(),
    registry,
    currency,
  );
  let monthlyDelta: number | null =
    cost.monthly -
    beforeMonthly +
    volumes.reduce((sum, c) => sum + (c.monthly ?? 0), 0);
  let unknownReason: string | undefined;
  if (!currency) {
    unknownReason = 'no provider has a price table';
  } else if (cost.unknownPods > beforeUnknown) {
    unknownReason = `a node the change uses has no known price (${
      change.node ?? 'its replicas keep their nodes'
    })`;
  } else {
    const unpriced = volumes.find(c => c.monthly === null);
    if (unpriced) unknownReason = unpriced.unknownReason;
  }
  if (unknownReason) monthlyDelta = null;
  return {
    ...change,
    monthlyDelta,
    ...(unknownReason ? { unknownReason } : {}),
    verdict: verdict.verdict,
    replicasBefore: verdict.replicasBefore,
    replicasAfter: verdict.replicasAfter,
    reasons: verdict.reasons,
  };
}
