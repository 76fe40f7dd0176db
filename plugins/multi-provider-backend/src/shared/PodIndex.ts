import {
  LabelRequirement,
  SlimPod,
} from '@cloudlab/plugin-multi-provider-common';
import { EntityPodQuery } from './entityPods';

/** Pods of one namespace with identical labels (the replicas of a workload, typically). */
interface Group {
  namespace: string;
  labels: Record<string, string>;
  /** Cache keys (`namespace/name`) of the group's pods. */
  keys: Set<string>;
  /**
   * The index clock when a pod of the group last joined, left or changed. Stamps are unique
   * across groups, so the stamps of the groups a query selects identify their content.
   */
  stamp: number;
}

function signature(pod: SlimPod): string {
  const labels = pod.labels ?? {};
  const parts = Object.keys(labels)
    .sort()
    .map(k => `${k}=${labels[k]}`);
  return `${pod.namespace}\u0000${parts.join('\u0000')}`;
}

const nsTerm = (namespace: string) => `ns\u0000${namespace}`;
const labelTerm = (key: string, value: string) => `l\u0000${key}=${value}`;

/**
 * Secondary index of a cluster's cached pods, maintained on every informer change (watch event
 * or relist difference). Pods with the same namespace and labels form one group; groups are
 * indexed by namespace and by `label=value`. Selecting an entity's pods reads the smallest
 * candidate group set and tests each group once, never every pod. Pods of a group share one
 * labels object, so the index costs about one set entry per pod.
 *
 * @alpha
 */
export class PodIndex {
  private readonly groups = new Map<string, Group>();
  private readonly byTerm = new Map<string, Set<Group>>();
  private clock = 0;

  /**
   * Applies one change of the pod with cache key `key` (`prev` → `next`, either may be absent).
   * Every change (phase, node, labels, addition, deletion) stamps the groups it touches.
   */
  update(key: string, prev: SlimPod | undefined, next: SlimPod | undefined) {
    this.clock += 1;
    if (prev) this.leave(key, prev);
    if (next) this.join(key, next);
  }

  private join(key: string, pod: SlimPod) {
    const sig = signature(pod);
    let group = this.groups.get(sig);
    if (!group) {
      group = {
        namespace: pod.namespace,
        labels: pod.labels ?? {},
        keys: new Set(),
        stamp: this.clock,
      };
      this.groups.set(sig, group);
      for (const term of this.termsOf(group)) {
        let set = this.byTerm.get(term);
        if (!set) this.byTerm.set(term, (set = new Set()));
        set.add(group);
      }
    } else if (pod.labels) {
      // Equal content: share the group's object instead of holding one copy per pod.
      pod.labels = group.labels;
    }
    group.keys.add(key);
    group.stamp = this.clock;
  }

  private leave(key: string, pod: SlimPod) {
    const sig = signature(pod);
    const group = this.groups.get(sig);
    if (!group) return;
    group.keys.delete(key);
    group.stamp = this.clock;
    if (group.keys.size > 0) return;
    this.groups.delete(sig);
    for (const term of this.termsOf(group)) {
      const set = this.byTerm.get(term);
      set?.delete(group);
      if (set?.size === 0) this.byTerm.delete(term);
    }
  }

  private termsOf(group: Group): string[] {
    return [
      nsTerm(group.namespace),
      ...Object.entries(group.labels).map(([k, v]) => labelTerm(k, v)),
    ];
  }

  /** Groups that may satisfy one requirement, or undefined when the index cannot narrow it. */
  private candidatesOf(r: LabelRequirement): ReadonlySet<Group> | undefined {
    // NotIn / Exists / DoesNotExist: not indexed
    if (r.operator !== 'In' || !r.values) return undefined;
    if (r.values.length === 1)
      return this.byTerm.get(labelTerm(r.key, r.values[0])) ?? new Set();
    const union = new Set<Group>();
    for (const v of r.values)
      for (const g of this.byTerm.get(labelTerm(r.key, v)) ?? []) union.add(g);
    return union;
  }

  /** The smallest indexed superset of the query's groups; every group when nothing narrows. */
  private candidates(query: EntityPodQuery): Iterable<Group> {
    let best: ReadonlySet<Group> | undefined;
    if (query.namespace)
      best = this.byTerm.get(nsTerm(query.namespace)) ?? new Set();
    for (const r of query.requirements) {
      const c = this.candidatesOf(r);
      if (c && (!best || c.size < best.size)) best = c;
    }
    return best ?? this.groups.values();
  }

  /** The groups the query selects. */
  private selectGroups(query: EntityPodQuery): Group[] {
    const out: Group[] = [];
    for (const group of this.candidates(query)) {
      const representative: SlimPod = {
        name: '',
        namespace: group.namespace,
        labels: group.labels,
        phase: '',
      };
      // The query reads namespace and labels only: one test decides the whole group.
      if (query.matches(representative)) out.push(group);
    }
    return out;
  }

  /** Cache keys of the pods the query selects. */
  select(query: EntityPodQuery): string[] {
    return this.selectGroups(query).flatMap(g => [...g.keys]);
  }

  /**
   * The version of the query's pods: the stamps of the groups it selects. It changes whenever a
   * selected pod changes, joins or leaves, or a group starts or stops being selected; it stays
   * the same when only pods of other groups change. Costs one test per candidate group.
   */
  version(query: EntityPodQuery): string {
    return this.selectGroups(query)
      .map(g => g.stamp)
      .join(',');
  }
}

/** Selects the query's pods from `items` (cache key → pod) through the index. */
export function selectPods(
  items: ReadonlyMap<string, SlimPod>,
  index: PodIndex,
  query: EntityPodQuery,
): SlimPod[] {
  const out: SlimPod[] = [];
  for (const key of index.select(query)) {
    const pod = items.get(key);
    if (pod) out.push(pod);
  }
  return out;
}
