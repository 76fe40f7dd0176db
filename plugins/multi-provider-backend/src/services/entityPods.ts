import { Entity } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import { SlimPod } from '@internal/plugin-multi-provider-common';

/** Annotations the kubernetes plugin matches workloads by; reused so one catalog serves both. */
export const KUBERNETES_ID_ANNOTATION = 'backstage.io/kubernetes-id';
export const KUBERNETES_LABEL_SELECTOR_ANNOTATION =
  'backstage.io/kubernetes-label-selector';
export const KUBERNETES_NAMESPACE_ANNOTATION =
  'backstage.io/kubernetes-namespace';
/** The pod label the kubernetes-id annotation is matched against. */
export const KUBERNETES_ID_LABEL = 'backstage.io/kubernetes-id';

type Requirement = (labels: Record<string, string>) => boolean;

/** Parses a Kubernetes label selector string (`a=b,c!=d,e in (x,y),!f,g`). */
export function parseLabelSelector(selector: string): Requirement[] {
  const parts = selector.match(/([^,(]+(\([^)]*\))?)/g) ?? [];
  return parts
    .map(p => p.trim())
    .filter(Boolean)
    .map(part => {
      let m = /^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(part);
      if (m) {
        const [, key, op, list] = m;
        const values = list.split(',').map(v => v.trim());
        return op === 'in'
          ? (l: Record<string, string>) => values.includes(l[key])
          : (l: Record<string, string>) => !values.includes(l[key]);
      }
      m = /^([\w./-]+)\s*(==|=|!=)\s*([\w./-]*)$/.exec(part);
      if (m) {
        const [, key, op, value] = m;
        return op === '!='
          ? (l: Record<string, string>) => l[key] !== value
          : (l: Record<string, string>) => l[key] === value;
      }
      m = /^(!?)([\w./-]+)$/.exec(part);
      if (m) {
        const [, not, key] = m;
        return not
          ? (l: Record<string, string>) => !(key in l)
          : (l: Record<string, string>) => key in l;
      }
      throw new InputError(`Invalid label selector "${selector}" at "${part}"`);
    });
}

/**
 * A predicate selecting the entity's pods, as the kubernetes plugin does: the label selector
 * annotation when present, else the `backstage.io/kubernetes-id` label; optionally one namespace.
 * `undefined` when the entity has neither annotation.
 */
export function entityPodMatcher(
  entity: Entity,
): ((pod: SlimPod) => boolean) | undefined {
  const annotations = entity.metadata.annotations ?? {};
  const selector = annotations[KUBERNETES_LABEL_SELECTOR_ANNOTATION];
  const id = annotations[KUBERNETES_ID_ANNOTATION];
  const namespace = annotations[KUBERNETES_NAMESPACE_ANNOTATION];
  let requirements: Requirement[];
  if (selector) requirements = parseLabelSelector(selector);
  else if (id) requirements = [l => l[KUBERNETES_ID_LABEL] === id];
  else return undefined;
  return pod =>
    (!namespace || pod.namespace === namespace) &&
    requirements.every(r => r(pod.labels ?? {}));
}
