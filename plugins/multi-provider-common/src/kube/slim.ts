import { z } from 'zod';
import { bytes, cpuMillis } from './quantity';
import { KubeNode, KubePod, LabelSelector, NodeSelectorTerm } from './types';

const requirementSchema = z.object({
  key: z.string(),
  operator: z.string(),
  values: z.array(z.string()).optional(),
});
/**
 * zod schema of a node selector term.
 *
 * @public
 */
export const nodeSelectorTermSchema = z.object({
  matchExpressions: z.array(requirementSchema).optional(),
  matchFields: z.array(requirementSchema).optional(),
});

/**
 * zod schema of a label selector.
 *
 * @public
 */
export const labelSelectorSchema = z.object({
  matchLabels: z.record(z.string()).optional(),
  matchExpressions: z.array(requirementSchema).optional(),
});

/**
 * zod schema of the resources the analyses count: cpu in millicores, memory in bytes.
 *
 * @public
 */
export const resourcesSchema = z.object({
  cpuMillis: z.number(),
  memoryBytes: z.number(),
});
/**
 * CPU (millicores) and memory (bytes).
 *
 * @public
 */
export type Resources = z.infer<typeof resourcesSchema>;

/**
 * zod schema of a pod's placement intent.
 *
 * @public
 */
export const placementIntentSchema = z.object({
  nodeSelector: z.record(z.string()).optional(),
  /** Required node affinity terms (ORed). */
  requiredTerms: z.array(nodeSelectorTermSchema).optional(),
  /** Preferred node affinity, highest weight first. */
  preferred: z
    .array(z.object({ weight: z.number(), term: nodeSelectorTermSchema }))
    .optional(),
  topologySpread: z
    .array(
      z.object({
        topologyKey: z.string(),
        maxSkew: z.number(),
        whenUnsatisfiable: z.string(),
        /** Which pods are counted per domain; without one the constraint counts nothing. */
        labelSelector: labelSelectorSchema.optional(),
        /**
         * `Honor`: nodes with a taint the pod does not tolerate are no domain (so a lost
         * provider's unreachable nodes stop counting); absent means `Ignore`, the default.
         */
        nodeTaintsPolicy: z.string().optional(),
      }),
    )
    .optional(),
  /** Required pod anti-affinity: no pod matching the selector in the same topology domain. */
  podAntiAffinity: z
    .array(
      z.object({
        topologyKey: z.string(),
        labelSelector: labelSelectorSchema.optional(),
        namespaces: z.array(z.string()).optional(),
      }),
    )
    .optional(),
  tolerations: z
    .array(
      z.object({
        key: z.string().optional(),
        operator: z.string().optional(),
        value: z.string().optional(),
        effect: z.string().optional(),
      }),
    )
    .optional(),
});
/**
 * What a pod asks of its node.
 *
 * @public
 */
export type PlacementIntent = z.infer<typeof placementIntentSchema>;

/**
 * The trimmed pod the cache stores: only what placement, failure-domain and storage analyses
 * read. Optional fields are left out when empty so a typical pod stays well under 500 bytes.
 *
 * @public
 */
export interface SlimPod {
  name: string;
  namespace: string;
  labels?: Record<string, string>;
  /** The owning workload; ReplicaSets resolved to their Deployment by the pod-template-hash. */
  owner?: { kind: string; name: string };
  nodeName?: string;
  phase: string;
  /** Why the pod is not scheduled (PodScheduled=False reason: message). */
  pendingReason?: string;
  requests?: Resources;
  intent?: PlacementIntent;
  /** Names of the PVCs the pod mounts. */
  claims?: string[];
  terminating?: true;
}

/**
 * The trimmed node the cache stores.
 *
 * @public
 */
export interface SlimNode {
  name: string;
  labels: Record<string, string>;
  providerID?: string;
  capacity: Resources & { pods: number };
  allocatable: Resources & { pods: number };
  taints?: Array<{ key: string; value?: string; effect: string }>;
  unschedulable?: true;
  ready: boolean;
}

function sumRequests(
  containers: Array<{
    resources?: { requests?: Record<string, string | number> };
  }>,
): Resources {
  let cpu = 0;
  let mem = 0;
  for (const c of containers) {
    cpu += cpuMillis(c.resources?.requests?.cpu);
    mem += bytes(c.resources?.requests?.memory);
  }
  return { cpuMillis: cpu, memoryBytes: mem };
}

function ownerOf(pod: KubePod): SlimPod['owner'] {
  const refs = pod.metadata?.ownerReferences ?? [];
  const ref = refs.find(r => r.controller) ?? refs[0];
  if (!ref?.kind || !ref.name) return undefined;
  const hash = pod.metadata?.labels?.['pod-template-hash'];
  if (ref.kind === 'ReplicaSet' && hash && ref.name.endsWith(`-${hash}`)) {
    return {
      kind: 'Deployment',
      name: ref.name.slice(0, -(hash.length + 1)),
    };
  }
  return { kind: ref.kind, name: ref.name };
}

function nonEmpty<T>(list: T[] | undefined): T[] | undefined {
  return list && list.length > 0 ? list : undefined;
}

/** A selector without its empty parts, or undefined when nothing is left. */
function slimSelector(
  sel: LabelSelector | undefined,
): LabelSelector | undefined {
  if (!sel) return undefined;
  const out: LabelSelector = {};
  if (sel.matchLabels && Object.keys(sel.matchLabels).length > 0)
    out.matchLabels = sel.matchLabels;
  if (sel.matchExpressions?.length)
    out.matchExpressions = sel.matchExpressions.map(e =>
      e.values
        ? { key: e.key, operator: e.operator, values: e.values }
        : { key: e.key, operator: e.operator },
    );
  return Object.keys(out).length > 0 ? out : {};
}

/**
 * Trims a pod manifest to a {@link SlimPod}.
 *
 * @public
 */
export function slimPod(pod: KubePod): SlimPod {
  const spec = pod.spec ?? {};
  const app = sumRequests(spec.containers ?? []);
  // The scheduler reserves max(sum(app containers), max(init container)) per resource.
  for (const init of spec.initContainers ?? []) {
    const r = sumRequests([init]);
    app.cpuMillis = Math.max(app.cpuMillis, r.cpuMillis);
    app.memoryBytes = Math.max(app.memoryBytes, r.memoryBytes);
  }
  const nodeAffinity = spec.affinity?.nodeAffinity;
  const requiredTerms = nonEmpty(
    nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution
      ?.nodeSelectorTerms as NodeSelectorTerm[] | undefined,
  );
  const preferred = nonEmpty(
    (nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [])
      .filter(p => p.preference)
      .map(p => ({
        weight: p.weight ?? 1,
        term: p.preference as NodeSelectorTerm,
      }))
      .sort((a, b) => b.weight - a.weight),
  );
  const topologySpread = nonEmpty(
    (spec.topologySpreadConstraints ?? [])
      .filter(t => t.topologyKey)
      .map(t => {
        const c: NonNullable<PlacementIntent['topologySpread']>[number] = {
          topologyKey: t.topologyKey as string,
          maxSkew: t.maxSkew ?? 1,
          whenUnsatisfiable: t.whenUnsatisfiable ?? 'DoNotSchedule',
        };
        // Only hard constraints restrict re-placement: keep their selector, drop the others'.
        const sel = slimSelector(t.labelSelector);
        if (sel && c.whenUnsatisfiable === 'DoNotSchedule')
          c.labelSelector = sel;
        if (t.nodeTaintsPolicy === 'Honor') c.nodeTaintsPolicy = 'Honor';
        return c;
      }),
  );
  const podAntiAffinity = nonEmpty(
    (
      spec.affinity?.podAntiAffinity
        ?.requiredDuringSchedulingIgnoredDuringExecution ?? []
    )
      .filter(t => t.topologyKey)
      .map(t => {
        const term: NonNullable<PlacementIntent['podAntiAffinity']>[number] = {
          topologyKey: t.topologyKey as string,
        };
        const sel = slimSelector(t.labelSelector);
        if (sel) term.labelSelector = sel;
        if (t.namespaces?.length) term.namespaces = t.namespaces;
        return term;
      }),
  );
  // Every pod gets the not-ready / unreachable NoExecute tolerations from admission; they say
  // nothing about intent and would cost ~150 bytes per pod.
  const tolerations = nonEmpty(
    (spec.tolerations ?? [])
      .filter(
        t =>
          !(
            t.effect === 'NoExecute' &&
            (t.key === 'node.kubernetes.io/not-ready' ||
              t.key === 'node.kubernetes.io/unreachable')
          ),
      )
      .map(({ key, operator, value, effect }) =>
        JSON.parse(JSON.stringify({ key, operator, value, effect })),
      ),
  );
  const nodeSelector =
    spec.nodeSelector && Object.keys(spec.nodeSelector).length > 0
      ? spec.nodeSelector
      : undefined;
  const intent: PlacementIntent = {};
  if (nodeSelector) intent.nodeSelector = nodeSelector;
  if (requiredTerms) intent.requiredTerms = requiredTerms;
  if (preferred) intent.preferred = preferred;
  if (topologySpread) intent.topologySpread = topologySpread;
  if (podAntiAffinity) intent.podAntiAffinity = podAntiAffinity;
  if (tolerations) intent.tolerations = tolerations;

  const scheduled = pod.status?.conditions?.find(
    c => c.type === 'PodScheduled',
  );
  const claims = nonEmpty(
    (spec.volumes ?? [])
      .map(v => v.persistentVolumeClaim?.claimName)
      .filter((c): c is string => !!c),
  );
  // pod-template-hash is consumed by ownerOf and matches nothing users select on.
  const { 'pod-template-hash': _hash, ...labels } = pod.metadata?.labels ?? {};
  const slim: SlimPod = {
    name: pod.metadata?.name ?? '',
    namespace: pod.metadata?.namespace ?? 'default',
    phase: pod.status?.phase ?? 'Unknown',
  };
  if (Object.keys(labels).length > 0) slim.labels = labels;
  const owner = ownerOf(pod);
  if (owner) slim.owner = owner;
  if (spec.nodeName) slim.nodeName = spec.nodeName;
  if (!spec.nodeName && scheduled?.status === 'False') {
    slim.pendingReason = [scheduled.reason, scheduled.message]
      .filter(Boolean)
      .join(': ')
      .slice(0, 300);
  }
  if (app.cpuMillis > 0 || app.memoryBytes > 0) slim.requests = app;
  if (Object.keys(intent).length > 0) slim.intent = intent;
  if (claims) slim.claims = claims;
  if (pod.metadata?.deletionTimestamp) slim.terminating = true;
  return slim;
}

function resources(
  values: Record<string, string | number> | undefined,
): Resources & { pods: number } {
  return {
    cpuMillis: cpuMillis(values?.cpu),
    memoryBytes: bytes(values?.memory),
    pods: Number(values?.pods ?? 110),
  };
}

/**
 * Trims a node manifest to a {@link SlimNode}.
 *
 * @public
 */
export function slimNode(node: KubeNode): SlimNode {
  const slim: SlimNode = {
    name: node.metadata?.name ?? '',
    labels: node.metadata?.labels ?? {},
    capacity: resources(node.status?.capacity),
    allocatable: resources(node.status?.allocatable ?? node.status?.capacity),
    ready:
      node.status?.conditions?.find(c => c.type === 'Ready')?.status === 'True',
  };
  if (node.spec?.providerID) slim.providerID = node.spec.providerID;
  const taints = nonEmpty(node.spec?.taints);
  if (taints) {
    slim.taints = taints.map(t =>
      t.value === undefined
        ? { key: t.key, effect: t.effect }
        : { key: t.key, value: t.value, effect: t.effect },
    );
  }
  if (node.spec?.unschedulable) slim.unschedulable = true;
  return slim;
}

/**
 * Whether the pod still occupies its node (not Succeeded / Failed).
 *
 * @public
 */
export function isActivePod(pod: SlimPod): boolean {
  return pod.phase !== 'Succeeded' && pod.phase !== 'Failed';
}
