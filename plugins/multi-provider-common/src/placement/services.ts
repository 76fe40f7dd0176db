import { SlimPod } from '../kube/slim';
import { ProviderRegistry } from '../registry/createProviderRegistry';

/**
 * Label naming the application a workload belongs to.
 *
 * @public
 */
export const APP_NAME_LABEL = 'app.kubernetes.io/name';
/**
 * Label naming one installation of the application.
 *
 * @public
 */
export const APP_INSTANCE_LABEL = 'app.kubernetes.io/instance';
/**
 * Label naming the application's component.
 *
 * @public
 */
export const APP_COMPONENT_LABEL = 'app.kubernetes.io/component';

/**
 * `namespace/Kind/name` of a pod's owning workload (the pod itself when it has none).
 *
 * @public
 */
export function workloadKey(pod: SlimPod): string {
  return pod.owner
    ? `${pod.namespace}/${pod.owner.kind}/${pod.owner.name}`
    : `${pod.namespace}/Pod/${pod.name}`;
}

/**
 * A service: one workload, or several workloads deployed once per provider.
 *
 * @public
 */
export interface Service {
  /** `namespace/name`. */
  id: string;
  namespace: string;
  name: string;
  workloads: Array<{ kind: string; name: string }>;
  pods: SlimPod[];
  /** Several workloads recognised as one instance per provider. */
  redundantPerProvider: boolean;
}

interface Workload {
  namespace: string;
  kind: string;
  name: string;
  pods: SlimPod[];
}

/** The provider a workload is tied to by name, instance label or pinning, if any. */
function providerToken(w: Workload, providers: string[]): string | undefined {
  const labels = w.pods[0]?.labels ?? {};
  const intent = w.pods[0]?.intent;
  const candidates = [
    w.name,
    w.namespace,
    labels[APP_INSTANCE_LABEL] ?? '',
    ...Object.values(intent?.nodeSelector ?? {}),
    ...(intent?.requiredTerms ?? []).flatMap(t =>
      (t.matchExpressions ?? []).flatMap(e =>
        e.operator === 'In' && e.values?.length === 1 ? e.values : [],
      ),
    ),
  ];
  for (const p of providers) {
    const token = new RegExp(`(^|[-_.])${p}($|[-_.])`);
    if (candidates.some(c => c === p || token.test(c))) return p;
  }
  return undefined;
}

function stripProviderSuffix(name: string, providers: string[]): string {
  for (const p of providers) {
    if (name.endsWith(`-${p}`)) return name.slice(0, -(p.length + 1));
  }
  return name;
}

/**
 * Groups pods into services. Pods group by owning workload; workloads in one namespace (or in
 * per-provider namespaces `<base>-<provider>`) that share `app.kubernetes.io/name` (and
 * component) or a base name once a provider suffix is stripped, and that are each tied to a
 * different provider (name, namespace, instance label or pinning), are ONE redundant service —
 * the "one instance per provider" pattern (Pi-hole). Such a service spanning namespaces is
 * identified as `<base>/<name>`.
 *
 * @public
 */
export function groupServices(
  pods: Iterable<SlimPod>,
  registry: ProviderRegistry,
): Service[] {
  const providers = registry.providers.map(p => p.name);
  const workloads = new Map<string, Workload>();
  for (const pod of pods) {
    const key = workloadKey(pod);
    let w = workloads.get(key);
    if (!w) {
      w = {
        namespace: pod.namespace,
        kind: pod.owner?.kind ?? 'Pod',
        name: pod.owner?.name ?? pod.name,
        pods: [],
      };
      workloads.set(key, w);
    }
    w.pods.push(pod);
  }

  const candidates = new Map<string, Workload[]>();
  const services: Service[] = [];
  const single = (w: Workload): Service => ({
    id: `${w.namespace}/${w.name}`,
    namespace: w.namespace,
    name: w.name,
    workloads: [{ kind: w.kind, name: w.name }],
    pods: w.pods,
    redundantPerProvider: false,
  });
  for (const w of workloads.values()) {
    if (!providerToken(w, providers)) {
      services.push(single(w));
      continue;
    }
    const labels = w.pods[0]?.labels ?? {};
    const base = labels[APP_NAME_LABEL]
      ? `${labels[APP_NAME_LABEL]}#${labels[APP_COMPONENT_LABEL] ?? ''}`
      : stripProviderSuffix(w.name, providers);
    // Instances may also live in per-provider namespaces (`pihole-hetzner`, `pihole-scaleway`).
    const key = `${stripProviderSuffix(w.namespace, providers)}/${base}`;
    candidates.set(key, [...(candidates.get(key) ?? []), w]);
  }
  for (const group of candidates.values()) {
    const tokens = new Set(group.map(w => providerToken(w, providers)));
    if (group.length < 2 || tokens.size < group.length) {
      services.push(...group.map(single));
      continue;
    }
    const first = group[0];
    const labels = first.pods[0]?.labels ?? {};
    const name =
      labels[APP_NAME_LABEL] ?? stripProviderSuffix(first.name, providers);
    const namespace = group.every(w => w.namespace === first.namespace)
      ? first.namespace
      : stripProviderSuffix(first.namespace, providers);
    services.push({
      id: `${namespace}/${name}`,
      namespace,
      name,
      workloads: group.map(w => ({ kind: w.kind, name: w.name })),
      pods: group.flatMap(w => w.pods),
      redundantPerProvider: true,
    });
  }
  return services.sort((a, b) => a.id.localeCompare(b.id));
}
