import { parseAllDocuments } from 'yaml';

/** A Kubernetes object as plain data. */
export type KubeObject = {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [key: string]: unknown;
  };
  [key: string]: unknown;
};

/** The parts of a Flux `Kustomization` (kustomize.toolkit.fluxcd.io) the lab acts on. */
export interface FluxKustomization {
  name: string;
  namespace: string;
  path: string;
  dependsOn: string[];
  targetNamespace?: string;
  substitute: Record<string, string>;
  /** Names of the ConfigMaps of `postBuild.substituteFrom` (Secrets are not read by the lab). */
  substituteFrom: string[];
}

const FLUX_KUSTOMIZE_GROUP = 'kustomize.toolkit.fluxcd.io/';

/** Parses a multi-document YAML stream into objects, skipping empty documents. */
export function parseObjects(text: string): KubeObject[] {
  return parseAllDocuments(text)
    .map(d => d.toJS() as KubeObject | null)
    .filter((o): o is KubeObject => !!o && typeof o === 'object' && !!o.kind);
}

/** Picks the Flux Kustomizations out of a rendered cluster directory. */
export function fluxKustomizations(objects: KubeObject[]): FluxKustomization[] {
  return objects
    .filter(
      o =>
        o.kind === 'Kustomization' &&
        o.apiVersion.startsWith(FLUX_KUSTOMIZE_GROUP),
    )
    .map(o => {
      const spec = (o.spec ?? {}) as {
        path?: string;
        dependsOn?: Array<{ name: string; namespace?: string }>;
        targetNamespace?: string;
        postBuild?: {
          substitute?: Record<string, string>;
          substituteFrom?: Array<{ kind: string; name: string }>;
        };
      };
      return {
        name: o.metadata.name,
        namespace: o.metadata.namespace ?? 'flux-system',
        path: spec.path ?? './',
        dependsOn: (spec.dependsOn ?? []).map(d => d.name),
        targetNamespace: spec.targetNamespace,
        substitute: spec.postBuild?.substitute ?? {},
        substituteFrom: (spec.postBuild?.substituteFrom ?? [])
          .filter(s => s.kind === 'ConfigMap')
          .map(s => s.name),
      };
    });
}

/**
 * Orders Kustomizations so that each comes after everything it `dependsOn` (a stable topological
 * sort: ties keep file order). Throws on a cycle or a dependency that does not exist.
 */
export function orderByDependsOn(ks: FluxKustomization[]): FluxKustomization[] {
  const byName = new Map(ks.map(k => [k.name, k]));
  for (const k of ks) {
    for (const d of k.dependsOn) {
      if (!byName.has(d)) {
        throw new Error(
          `Kustomization ${k.name} dependsOn ${d}, which does not exist`,
        );
      }
    }
  }
  const done = new Set<string>();
  const visiting = new Set<string>();
  const out: FluxKustomization[] = [];
  const visit = (k: FluxKustomization, trail: string[]) => {
    if (done.has(k.name)) return;
    if (visiting.has(k.name)) {
      throw new Error(`dependsOn cycle: ${[...trail, k.name].join(' -> ')}`);
    }
    visiting.add(k.name);
    for (const d of k.dependsOn) visit(byName.get(d)!, [...trail, k.name]);
    visiting.delete(k.name);
    done.add(k.name);
    out.push(k);
  };
  for (const k of ks) visit(k, []);
  return out;
}

/**
 * Flux's postBuild variable substitution: `${var}` and `${var:=default}`; unknown variables without
 * a default are left as they are, as Flux does.
 */
export function substitute(text: string, vars: Record<string, string>): string {
  return text.replace(
    /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::=([^}]*))?\}/g,
    (whole, name: string, def?: string) => vars[name] ?? def ?? whole,
  );
}

/** Kinds applied before everything else, as Flux's kustomize-controller does. */
const FIRST_KINDS = ['CustomResourceDefinition', 'Namespace'];

/** Sorts objects so CRDs and Namespaces come first; keeps the rest in rendered order. */
export function applyOrder(objects: KubeObject[]): KubeObject[] {
  const rank = (o: KubeObject) => {
    const i = FIRST_KINDS.indexOf(o.kind);
    return i === -1 ? FIRST_KINDS.length : i;
  };
  return objects
    .map((o, i) => ({ o, i }))
    .sort((a, b) => rank(a.o) - rank(b.o) || a.i - b.i)
    .map(x => x.o);
}

/** Sets `targetNamespace` on namespaced objects, as Flux does (cluster-scoped kinds are left alone). */
export function withTargetNamespace(
  objects: KubeObject[],
  targetNamespace: string | undefined,
  isNamespaced: (o: KubeObject) => boolean,
): KubeObject[] {
  if (!targetNamespace) return objects;
  return objects.map(o =>
    isNamespaced(o)
      ? { ...o, metadata: { ...o.metadata, namespace: targetNamespace } }
      : o,
  );
}
