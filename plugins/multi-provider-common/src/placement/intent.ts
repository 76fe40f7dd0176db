import { IntentSummary, IntentStatus } from '../api/entityPlacement';
import {
  describeSelector,
  describeTerm,
  hardIntentViolations,
  termMatches,
  untoleratedTaints,
} from '../kube/matching';
import { PlacementIntent, SlimPod } from '../kube/slim';
import { NodeInfo } from './nodeInfo';

/**
 * A pod's intent in words, for display.
 *
 * @public
 */
export function summariseIntent(
  intent: PlacementIntent | undefined,
): IntentSummary {
  const summary: IntentSummary = {};
  if (!intent) return summary;
  if (intent.nodeSelector) summary.nodeSelector = intent.nodeSelector;
  if (intent.requiredTerms || intent.preferred) {
    summary.nodeAffinity = {
      required: (intent.requiredTerms ?? []).map(describeTerm),
      preferred: (intent.preferred ?? []).map(p => ({
        weight: p.weight,
        term: describeTerm(p.term),
      })),
    };
  }
  if (intent.topologySpread) {
    summary.topologySpread = intent.topologySpread.map(
      ({ topologyKey, maxSkew, whenUnsatisfiable }) => ({
        topologyKey,
        maxSkew,
        whenUnsatisfiable,
      }),
    );
  }
  if (intent.podAntiAffinity) {
    summary.podAntiAffinity = intent.podAntiAffinity.map(
      t => `not with ${describeSelector(t.labelSelector)} per ${t.topologyKey}`,
    );
  }
  if (intent.tolerations) {
    summary.tolerations = intent.tolerations.map(
      t =>
        `${t.key ?? '*'}${t.operator === 'Exists' ? '' : `=${t.value ?? ''}`}:${
          t.effect ?? '*'
        }`,
    );
  }
  return summary;
}

/**
 * Options of the intent check.
 *
 * @public
 */
export interface IntentCheckOptions {
  /**
   * Providers a namespace is pinned to by policy (e.g. from the GitOps overlays). A pod in a
   * pinned namespace running on another provider is a warning: nothing in the pod enforces it.
   */
  namespacePins?: Record<string, string>;
}

/**
 * Result of comparing one pod's intent with its node.
 *
 * @public
 */
export interface IntentCheck {
  status: IntentStatus;
  reasons: string[];
}

/**
 * Compares a pod's intent with reality. A pod whose node violates its nodeSelector or
 * required affinity cannot have been placed there by the scheduler (labels changed later, or the
 * pod was bound by hand): `violated`. Unmet preferences and namespace pins: `warning`.
 *
 * @public
 */
export function checkPodIntent(
  pod: SlimPod,
  info: NodeInfo | undefined,
  options: IntentCheckOptions = {},
): IntentCheck {
  if (!pod.nodeName) {
    return {
      status: 'pending',
      reasons: [
        pod.pendingReason
          ? `not scheduled: ${pod.pendingReason}`
          : 'not scheduled yet',
      ],
    };
  }
  if (!info) {
    return {
      status: 'warning',
      reasons: [
        `node ${pod.nodeName} is not in the cache (deleted or not synced)`,
      ],
    };
  }
  const violated = hardIntentViolations(pod.intent, info.node);
  const taints = untoleratedTaints(pod.intent?.tolerations, {
    taints: info.node.taints?.filter(t => t.effect === 'NoExecute'),
  });
  for (const t of taints) {
    violated.push(`node has NoExecute taint ${t} the pod does not tolerate`);
  }
  if (violated.length > 0) return { status: 'violated', reasons: violated };

  const warnings: string[] = [];
  const preferred = pod.intent?.preferred ?? [];
  if (preferred.length > 0) {
    const best = preferred[0];
    if (!termMatches(best.term, info.node)) {
      warnings.push(
        `prefers ${describeTerm(best.term)} (weight ${
          best.weight
        }) but runs on ${info.node.name} (${info.provider}/${info.zone})`,
      );
    }
  }
  const pinned = options.namespacePins?.[pod.namespace];
  if (pinned && pinned !== info.provider) {
    warnings.push(
      `namespace ${pod.namespace} is pinned to ${pinned} but the pod runs on ${info.provider}`,
    );
  }
  if (warnings.length > 0) return { status: 'warning', reasons: warnings };

  const reasons: string[] = [];
  if (pod.intent?.nodeSelector || pod.intent?.requiredTerms) {
    reasons.push(`node ${info.node.name} satisfies the pod's node constraints`);
  } else {
    reasons.push('no node constraints: may run on any provider');
  }
  return { status: 'matches', reasons };
}

/**
 * Topology-spread check over one workload's running pods: reports a constraint whose skew
 * (across the domains present on `nodes`) exceeds maxSkew.
 *
 * @public
 */
export function checkTopologySpread(
  workload: string,
  pods: SlimPod[],
  nodes: Map<string, NodeInfo>,
): string[] {
  const constraints = pods.find(p => p.intent?.topologySpread)?.intent
    ?.topologySpread;
  if (!constraints) return [];
  const out: string[] = [];
  for (const c of constraints) {
    const counts = new Map<string, number>();
    for (const info of nodes.values()) {
      const v = info.node.labels[c.topologyKey];
      if (v !== undefined && !counts.has(v)) counts.set(v, 0);
    }
    for (const pod of pods) {
      const v = pod.nodeName
        ? nodes.get(pod.nodeName)?.node.labels[c.topologyKey]
        : undefined;
      if (v !== undefined) counts.set(v, (counts.get(v) ?? 0) + 1);
    }
    if (counts.size === 0) continue;
    const values = [...counts.values()];
    const skew = Math.max(...values) - Math.min(...values);
    if (skew > c.maxSkew) {
      out.push(
        `${workload}: spread over ${c.topologyKey} has skew ${skew} > maxSkew ${c.maxSkew} (${c.whenUnsatisfiable})`,
      );
    }
  }
  return out;
}
