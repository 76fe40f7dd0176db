import type { SlimNode, PlacementIntent } from './slim';
import { labelRequirementHolds } from './labelSelector';
import type {
  LabelSelector,
  NodeSelectorRequirement,
  NodeSelectorTerm,
} from './types';

/** A node selector requirement: the label-selector operators plus the numeric Gt and Lt. */
function requirementHolds(
  req: NodeSelectorRequirement,
  value: string | undefined,
): boolean {
  const values = req.values ?? [];
  switch (req.operator) {
    case 'Gt':
      return value !== undefined && Number(value) > Number(values[0]);
    case 'Lt':
      return value !== undefined && Number(value) < Number(values[0]);
    default:
      return labelRequirementHolds(req, value) ?? false;
  }
}

/**
 * Whether a node satisfies one node selector term (all requirements).
 *
 * @public
 */
export function termMatches(
  term: NodeSelectorTerm,
  node: Pick<SlimNode, 'name' | 'labels'>,
): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  // An empty term matches nothing, as in the scheduler.
  if (exprs.length === 0 && fields.length === 0) return false;
  return (
    exprs.every(r => requirementHolds(r, node.labels[r.key])) &&
    fields.every(r =>
      requirementHolds(r, r.key === 'metadata.name' ? node.name : undefined),
    )
  );
}

/**
 * Why a node fails a pod's hard intent (nodeSelector, required affinity); empty = satisfied.
 *
 * @public
 */
export function hardIntentViolations(
  intent: PlacementIntent | undefined,
  node: Pick<SlimNode, 'name' | 'labels'>,
): string[] {
  const reasons: string[] = [];
  for (const [key, value] of Object.entries(intent?.nodeSelector ?? {})) {
    if (node.labels[key] !== value) {
      reasons.push(
        `nodeSelector ${key}=${value} but node ${node.name} has ${
          node.labels[key] === undefined ? 'no such label' : node.labels[key]
        }`,
      );
    }
  }
  const terms = intent?.requiredTerms ?? [];
  if (terms.length > 0 && !terms.some(t => termMatches(t, node))) {
    reasons.push(
      `required node affinity (${terms
        .map(describeTerm)
        .join(' OR ')}) does not match node ${node.name}`,
    );
  }
  return reasons;
}

/**
 * Whether the tolerations tolerate every NoSchedule / NoExecute taint of the node.
 *
 * @public
 */
export function untoleratedTaints(
  tolerations: PlacementIntent['tolerations'],
  node: Pick<SlimNode, 'taints' | 'unschedulable'>,
): string[] {
  const taints = [...(node.taints ?? [])];
  if (node.unschedulable) {
    taints.push({
      key: 'node.kubernetes.io/unschedulable',
      effect: 'NoSchedule',
    });
  }
  return taints
    .filter(t => t.effect === 'NoSchedule' || t.effect === 'NoExecute')
    .filter(
      t =>
        !(tolerations ?? []).some(tol => {
          if (tol.effect && tol.effect !== t.effect) return false;
          if (!tol.key) return tol.operator === 'Exists';
          if (tol.key !== t.key) return false;
          return (
            tol.operator === 'Exists' || (tol.value ?? '') === (t.value ?? '')
          );
        }),
    )
    .map(t => `${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}`);
}

/**
 * A node selector term in words, e.g. `cfke.io/provider In (hetzner)`.
 *
 * @public
 */
export function describeTerm(term: NodeSelectorTerm): string {
  return [...(term.matchExpressions ?? []), ...(term.matchFields ?? [])]
    .map(describeRequirement)
    .join(', ');
}

function describeRequirement(r: NodeSelectorRequirement): string {
  return r.values && r.values.length > 0
    ? `${r.key} ${r.operator} (${r.values.join(', ')})`
    : `${r.key} ${r.operator}`;
}

/**
 * A label selector in words, e.g. `app=web, tier In (a, b)`.
 *
 * @public
 */
export function describeSelector(selector: LabelSelector | undefined): string {
  if (!selector) return 'nothing';
  const parts = [
    ...Object.entries(selector.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`),
    ...(selector.matchExpressions ?? []).map(describeRequirement),
  ];
  return parts.length > 0 ? parts.join(', ') : 'every pod';
}
