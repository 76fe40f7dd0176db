import type { PlacementIntent } from '../kube/slim';
import type { NodeSelectorRequirement } from '../kube/types';
import type { ProviderRegistry } from '../registry/createProviderRegistry';

/** Which node labels say a node belongs to which provider, from the registry's detection. */
interface ProviderLabels {
  /** Valued labels (`cfke.io/provider`): key → value → provider. */
  valued: Map<string, Map<string, string>>;
  /** Labels whose presence is enough (`instance.hetzner.cloud/provided-by`): key → provider. */
  present: Map<string, string>;
  /** Label key prefixes (`k8s.scaleway.com/`) and their provider. */
  prefixes: Array<[string, string]>;
}

const LABELS = new WeakMap<ProviderRegistry, ProviderLabels>();

function providerLabels(registry: ProviderRegistry): ProviderLabels {
  let out = LABELS.get(registry);
  if (!out) {
    out = { valued: new Map(), present: new Map(), prefixes: [] };
    for (const p of registry.providers) {
      for (const l of p.detection.labels) {
        if (l.value === undefined) {
          if (!out.present.has(l.key)) out.present.set(l.key, p.name);
          continue;
        }
        let values = out.valued.get(l.key);
        if (!values) out.valued.set(l.key, (values = new Map()));
        if (!values.has(l.value)) values.set(l.value, p.name);
      }
      for (const prefix of p.detection.labelPrefixes) {
        out.prefixes.push([prefix, p.name]);
      }
    }
    LABELS.set(registry, out);
  }
  return out;
}

/** What a set of requirements allows for one label key. */
interface KeyDomain {
  absentOk: boolean;
  presentOk: boolean;
  /** The values allowed when present; undefined: any value not excluded. */
  values?: Set<string>;
  excluded: Set<string>;
}

/** A set of providers; `undefined` is "not restricted to known providers". */
type Providers = Set<string> | undefined;

/** The providers a node carrying `key` (with one of `values`; undefined: any) belongs to. */
function providersOfKey(
  key: string,
  values: Set<string> | undefined,
  labels: ProviderLabels,
): Providers {
  const valued = labels.valued.get(key);
  if (valued) {
    if (!values) return undefined;
    const out = new Set<string>();
    for (const v of values) {
      const owner = valued.get(v);
      // A value no provider uses: a node of another provider.
      if (!owner) return undefined;
      out.add(owner);
    }
    return out;
  }
  const present = labels.present.get(key);
  if (present) return new Set([present]);
  const prefixed = labels.prefixes.find(([prefix]) => key.startsWith(prefix));
  return prefixed ? new Set([prefixed[1]]) : undefined;
}

/**
 * The providers every node matching all `reqs` must belong to (undefined: not restricted), or
 * `null` when no node can match them.
 */
function providersForced(
  reqs: NodeSelectorRequirement[],
  labels: ProviderLabels,
): Providers | null {
  const domains = new Map<string, KeyDomain>();
  for (const r of reqs) {
    let d = domains.get(r.key);
    if (!d) {
      d = { absentOk: true, presentOk: true, excluded: new Set() };
      domains.set(r.key, d);
    }
    switch (r.operator) {
      case 'In': {
        d.absentOk = false;
        const prev = d.values;
        d.values = new Set((r.values ?? []).filter(v => !prev || prev.has(v)));
        break;
      }
      case 'NotIn':
        for (const v of r.values ?? []) d.excluded.add(v);
        break;
      case 'Exists':
      case 'Gt':
      case 'Lt':
        d.absentOk = false;
        break;
      case 'DoesNotExist':
        d.presentOk = false;
        break;
      default:
        // The API server rejects an unknown operator.
        return null;
    }
  }
  let forced: Providers;
  for (const [key, d] of domains) {
    const allowed = d.values
      ? new Set([...d.values].filter(v => !d.excluded.has(v)))
      : undefined;
    const presentOk = d.presentOk && (!allowed || allowed.size > 0);
    if (!presentOk && !d.absentOk) return null;
    if (d.absentOk) continue;
    const x = providersOfKey(key, allowed, labels);
    if (!x) continue;
    forced = forced ? new Set([...forced].filter(p => x.has(p))) : x;
  }
  // The requirements name two providers at once: no node is both.
  if (forced && forced.size === 0) return null;
  return forced;
}

/**
 * The provider every node a pod's hard intent can schedule on belongs to, or `undefined` when
 * the intent allows nodes of several providers, of no known provider, or none at all.
 *
 * It reads the intent as the scheduler does: the nodeSelector's keys are ANDed with each
 * required node-affinity term, the terms are ORed, the expressions inside a term are ANDed,
 * and an empty term matches nothing. A set of requirements lands on provider P only when it
 * makes a node carry one of P's detection labels from the registry: a valued label
 * (`cfke.io/provider=hetzner`) with every allowed value naming a provider, a label whose
 * presence is enough (`instance.hetzner.cloud/provided-by`), or a key under one of P's label
 * prefixes (`k8s.scaleway.com/`). `NotIn` and `DoesNotExist` never pin: nodes without the
 * label (or of a provider added later) still match. The Go validator's twin
 * (tools/gitops-validate/pinning.go) runs the same vectors (conformance/pinned-provider).
 *
 * @public
 */
export function pinnedProviderOfIntent(
  intent: PlacementIntent | undefined,
  registry: ProviderRegistry,
): string | undefined {
  if (!intent) return undefined;
  const base: NodeSelectorRequirement[] = Object.entries(
    intent.nodeSelector ?? {},
  ).map(([key, value]) => ({ key, operator: 'In', values: [value] }));
  const terms = intent.requiredTerms ?? [];
  const alternatives =
    terms.length === 0
      ? [base]
      : terms
          // An empty term matches no node.
          .filter(t => t.matchExpressions?.length || t.matchFields?.length)
          .map(t => [...base, ...(t.matchExpressions ?? [])]);
  const labels = providerLabels(registry);
  const found = new Set<string>();
  for (const alternative of alternatives) {
    const forced = providersForced(alternative, labels);
    if (forced === null) continue; // this way schedules on no node
    if (forced === undefined) return undefined; // on nodes of any provider
    for (const p of forced) found.add(p);
  }
  return found.size === 1 ? [...found][0] : undefined;
}

/**
 * The provider a pod is pinned to by its nodeSelector and required node affinity, if any.
 *
 * @public
 */
export function pinnedProvider(
  pod: { intent?: PlacementIntent },
  registry: ProviderRegistry,
): string | undefined {
  return pinnedProviderOfIntent(pod.intent, registry);
}
