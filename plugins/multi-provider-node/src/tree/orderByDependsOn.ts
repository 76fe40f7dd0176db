import { KustomizationInfo } from './types';

const key = (k: { namespace: string; name: string }) =>
  `${k.namespace}/${k.name}`;

/**
 * Orders Flux Kustomizations so that each comes after everything it `dependsOn` (a stable
 * topological sort: ties keep tree order), as Flux applies them. Throws on a cycle or a
 * dependency the list does not define.
 *
 * @public
 */
export function orderByDependsOn(ks: KustomizationInfo[]): KustomizationInfo[] {
  const byKey = new Map(ks.map(k => [key(k), k]));
  for (const k of ks) {
    for (const d of k.dependsOn) {
      if (!byKey.has(key(d))) {
        throw new Error(
          `Kustomization ${k.name} dependsOn ${d.name}, which does not exist`,
        );
      }
    }
  }
  const done = new Set<string>();
  const visiting = new Set<string>();
  const out: KustomizationInfo[] = [];
  const visit = (k: KustomizationInfo, trail: string[]) => {
    if (done.has(key(k))) return;
    if (visiting.has(key(k))) {
      throw new Error(`dependsOn cycle: ${[...trail, k.name].join(' -> ')}`);
    }
    visiting.add(key(k));
    for (const d of k.dependsOn) visit(byKey.get(key(d))!, [...trail, k.name]);
    visiting.delete(key(k));
    done.add(key(k));
    out.push(k);
  };
  for (const k of ks) visit(k, []);
  return out;
}
