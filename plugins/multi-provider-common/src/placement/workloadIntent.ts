import type {
  ClusterPlacement,
  IntentStatus,
  IntentSummary,
  PlacementPod,
} from '../api/entityPlacement';

/**
 * One kind of placement intent a workload can declare.
 *
 * @public
 */
export type IntentAspectKind =
  | 'nodeSelector'
  | 'nodeAffinity'
  | 'preferredAffinity'
  | 'podAntiAffinity'
  | 'topologySpread'
  | 'tolerations';

/**
 * One declared intent of a workload and whether reality honours it.
 *
 * @public
 */
export interface IntentAspect {
  kind: IntentAspectKind;
  /** Short text for a chip, e.g. `spread zone ≤1`. */
  label: string;
  /** The intent in full words. */
  detail: string;
  /** Hard (the scheduler enforces it) or soft (a preference). */
  hard: boolean;
  /** The topology key, for `topologySpread`. */
  topologyKey?: string;
  /** `matches`, `warning` (soft intent missed), `violated` (hard one broken) or `pending`. */
  status: IntentStatus;
  /** Why reality does not match, empty when it does. */
  reasons: string[];
}

/**
 * A workload's placement intent (from its pods) against where its pods run.
 *
 * @public
 */
export interface WorkloadIntent {
  /** `namespace/Kind/name`, as the workload warnings name it. */
  key: string;
  namespace: string;
  kind: string;
  name: string;
  pods: number;
  pending: number;
  aspects: IntentAspect[];
  /** Worst of the aspects and of the pods' own checks. */
  status: IntentStatus;
  /** Every reason reality differs from the intent, each once with the pods it concerns. */
  reasons: string[];
}

const SEVERITY: Record<IntentStatus, number> = {
  matches: 0,
  pending: 1,
  warning: 2,
  violated: 3,
};

const worst = (statuses: IntentStatus[]): IntentStatus =>
  statuses.reduce<IntentStatus>(
    (w, s) => (SEVERITY[s] > SEVERITY[w] ? s : w),
    'matches',
  );

/**
 * The key a workload warning starts with, as `buildClusterPlacement` writes it.
 *
 * @public
 */
export function placementWorkloadKey(pod: PlacementPod): string {
  return pod.owner
    ? `${pod.namespace}/${pod.owner.kind}/${pod.owner.name}`
    : `${pod.namespace}/Pod/${pod.name}`;
}

const shortKey = (key: string) => key.replace(/^.*\//, '');

/** The pod reasons of the intent check that concern one aspect (see `checkPodIntent`). */
const REASON_OF: Partial<Record<IntentAspectKind, (r: string) => boolean>> = {
  nodeSelector: r => r.startsWith('nodeSelector '),
  nodeAffinity: r => r.startsWith('required node affinity'),
  preferredAffinity: r => r.startsWith('prefers '),
  tolerations: r => r.includes('taint'),
};

/** The scheduler's words for a pod it could not place because of one aspect. */
const PENDING_BECAUSE: Partial<Record<IntentAspectKind, RegExp>> = {
  nodeSelector: /node affinity\/selector|didn't match node selector/i,
  nodeAffinity: /node affinity\/selector|node affinity/i,
  podAntiAffinity: /anti-affinity/i,
  topologySpread: /topology spread/i,
  tolerations: /untolerated taint|taint/i,
};

function declaredAspects(
  intent: IntentSummary,
): Omit<IntentAspect, 'status' | 'reasons'>[] {
  const out: Omit<IntentAspect, 'status' | 'reasons'>[] = [];
  const selector = Object.entries(intent.nodeSelector ?? {});
  if (selector.length > 0) {
    const words = selector.map(([k, v]) => `${k}=${v}`);
    out.push({
      kind: 'nodeSelector',
      label: `selector ${selector
        .map(([k, v]) => `${shortKey(k)}=${v}`)
        .join(', ')}`,
      detail: `nodeSelector: only nodes labelled ${words.join(' and ')}`,
      hard: true,
    });
  }
  const required = intent.nodeAffinity?.required ?? [];
  if (required.length > 0) {
    out.push({
      kind: 'nodeAffinity',
      label: 'node affinity (required)',
      detail: `required node affinity: ${required.join(' OR ')}`,
      hard: true,
    });
  }
  const preferred = intent.nodeAffinity?.preferred ?? [];
  if (preferred.length > 0) {
    out.push({
      kind: 'preferredAffinity',
      label: 'node affinity (preferred)',
      detail: `preferred node affinity: ${preferred
        .map(p => `${p.term} (weight ${p.weight})`)
        .join('; ')}`,
      hard: false,
    });
  }
  if (intent.podAntiAffinity?.length) {
    out.push({
      kind: 'podAntiAffinity',
      label: 'anti-affinity (required)',
      detail: `required pod anti-affinity: ${intent.podAntiAffinity.join(
        '; ',
      )}`,
      hard: true,
    });
  }
  for (const s of intent.topologySpread ?? []) {
    out.push({
      kind: 'topologySpread',
      label: `spread ${shortKey(s.topologyKey)} ≤${s.maxSkew}`,
      detail: `topology spread over ${s.topologyKey}, max skew ${s.maxSkew}, ${
        s.whenUnsatisfiable === 'DoNotSchedule'
          ? 'DoNotSchedule (hard)'
          : `${s.whenUnsatisfiable} (soft)`
      }`,
      hard: s.whenUnsatisfiable === 'DoNotSchedule',
      topologyKey: s.topologyKey,
    });
  }
  if (intent.tolerations?.length) {
    out.push({
      kind: 'tolerations',
      label: `tolerates ${
        intent.tolerations.length === 1
          ? intent.tolerations[0]
          : `${intent.tolerations.length} taints`
      }`,
      detail: `tolerations: ${intent.tolerations.join(', ')}`,
      hard: true,
    });
  }
  return out;
}

/**
 * The aspects any pod of the workload declares, each once: pods of one workload share a template,
 * but a pod changed by hand or an entity selecting several templates must not hide one.
 */
function unionOfAspects(
  pods: PlacementPod[],
): Omit<IntentAspect, 'status' | 'reasons'>[] {
  const seen = new Set<string>();
  const byAspect = new Map<string, Omit<IntentAspect, 'status' | 'reasons'>>();
  for (const pod of pods) {
    const key = JSON.stringify(pod.intent);
    if (seen.has(key)) continue;
    seen.add(key);
    for (const a of declaredAspects(pod.intent)) {
      const id = `${a.kind}\u0000${a.detail}`;
      if (!byAspect.has(id)) byAspect.set(id, a);
    }
  }
  return [...byAspect.values()];
}

/** `reason` once, with how many of the workload's pods it concerns. */
function counted(reasons: Map<string, number>, pods: number): string[] {
  return [...reasons].map(([r, n]) =>
    pods > 1 ? `${r} (${n} of ${pods} pods)` : r,
  );
}

function tally(into: Map<string, number>, reason: string) {
  into.set(reason, (into.get(reason) ?? 0) + 1);
}

/**
 * The placement intent of every workload in one cluster's placement answer — node selectors,
 * node affinity, required pod anti-affinity, topology spread, tolerations — with, for each,
 * whether reality matches and why not: the pods' intent checks, the scheduler's pending reasons
 * and the workload warnings (spread skew) the backend computed. Pure, over the answer only.
 *
 * @public
 */
export function summariseWorkloadIntents(
  cluster: ClusterPlacement,
): WorkloadIntent[] {
  const groups = new Map<string, PlacementPod[]>();
  const add = (pod: PlacementPod) => {
    const key = placementWorkloadKey(pod);
    const list = groups.get(key);
    if (list) list.push(pod);
    else groups.set(key, [pod]);
  };
  for (const p of cluster.providers)
    for (const r of p.regions)
      for (const z of r.zones) for (const n of z.nodes) n.pods.forEach(add);
  cluster.unscheduled.forEach(add);

  const out: WorkloadIntent[] = [];
  for (const [key, pods] of groups) {
    const [namespace, kind, name] = key.split('/');
    const warnings = cluster.warnings.filter(w => w.startsWith(`${key}: `));
    const pending = pods.filter(p => p.intentStatus === 'pending');
    const aspects: IntentAspect[] = unionOfAspects(pods).map(a => {
      const reasons = new Map<string, number>();
      let status: IntentStatus = 'matches';
      const concerns = REASON_OF[a.kind];
      if (concerns) {
        // Only a pod that misses its intent has reasons of a mismatch.
        for (const pod of pods.filter(
          p => p.intentStatus === 'warning' || p.intentStatus === 'violated',
        )) {
          for (const r of pod.reasons.filter(concerns)) {
            tally(reasons, r);
            status = worst([status, a.hard ? 'violated' : 'warning']);
          }
        }
      }
      if (a.topologyKey) {
        for (const w of warnings) {
          if (w.includes(`spread over ${a.topologyKey} `)) {
            tally(reasons, w.slice(key.length + 2));
            status = worst([status, a.hard ? 'violated' : 'warning']);
          }
        }
      }
      for (const p of pending) {
        const why = p.pendingReason ?? '';
        if (PENDING_BECAUSE[a.kind]?.test(why)) {
          tally(reasons, `pending: ${why}`);
          status = worst([status, 'pending']);
        }
      }
      return { ...a, status, reasons: counted(reasons, pods.length) };
    });

    const reasons = new Map<string, number>();
    for (const pod of pods) {
      if (pod.intentStatus === 'matches') continue;
      const list =
        pod.intentStatus === 'pending'
          ? [`pending: ${pod.pendingReason ?? 'not scheduled yet'}`]
          : pod.reasons;
      list.forEach(r => tally(reasons, r));
    }
    for (const w of warnings) tally(reasons, w.slice(key.length + 2));
    out.push({
      key,
      namespace,
      kind,
      name,
      pods: pods.length,
      pending: pending.length,
      aspects,
      status: worst([
        ...pods.map(p => p.intentStatus),
        ...aspects.map(a => a.status),
        ...(warnings.length > 0 ? (['warning'] as const) : []),
      ]),
      reasons: counted(reasons, pods.length),
    });
  }
  return out.sort(
    (a, b) =>
      SEVERITY[b.status] - SEVERITY[a.status] || a.key.localeCompare(b.key),
  );
}
