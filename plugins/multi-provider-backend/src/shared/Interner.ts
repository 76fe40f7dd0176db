import { SlimPod } from '@cloudlab/plugin-multi-provider-common';

/**
 * Replicas repeat the same namespace, node name, phase, owner, requests and intent; parsed from
 * JSON, every pod holds its own copies. This keeps one copy of each (by value) and points pods at
 * it, so memory grows with distinct values, not with pods. Entries are never evicted: the number
 * of distinct values is bounded by workloads and nodes, not by pod churn.
 */
export class Interner {
  private readonly strings = new Map<string, string>();
  private readonly objects = new Map<string, object>();

  private string(value: string): string {
    const known = this.strings.get(value);
    if (known !== undefined) return known;
    this.strings.set(value, value);
    return value;
  }

  private object<T extends object>(value: T): T {
    const key = JSON.stringify(value);
    const known = this.objects.get(key);
    if (known) return known as T;
    this.objects.set(key, value);
    return value;
  }

  /** Points the pod's repeated fields at shared copies (same values, fewer objects). */
  internPod(pod: SlimPod): void {
    pod.namespace = this.string(pod.namespace);
    pod.phase = this.string(pod.phase);
    if (pod.nodeName) pod.nodeName = this.string(pod.nodeName);
    if (pod.owner) pod.owner = this.object(pod.owner);
    if (pod.requests) pod.requests = this.object(pod.requests);
    if (pod.intent) pod.intent = this.object(pod.intent);
    if (pod.claims) pod.claims = this.object(pod.claims);
  }
}
