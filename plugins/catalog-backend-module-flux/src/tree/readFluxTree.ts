import path from 'node:path';
import { YamlFileCache } from './YamlFileCache';
import {
  ClusterInfo,
  FluxModel,
  HelmReleaseInfo,
  KustomizationInfo,
  SourceInfo,
  StorageClassInfo,
  WorkloadInfo,
} from './types';

type Obj = Record<string, any>;

const FLUX_KUSTOMIZATION_GROUP = 'kustomize.toolkit.fluxcd.io/';
const HELM_GROUP = 'helm.toolkit.fluxcd.io/';
const SOURCE_GROUP = 'source.toolkit.fluxcd.io/';
const KUSTOMIZE_FILES = [
  'kustomization.yaml',
  'kustomization.yml',
  'Kustomization',
];
const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet']);

const isObj = (v: unknown): v is Obj =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined =>
  typeof v === 'string' && v.length > 0 ? v : undefined;

function isFluxKustomization(doc: Obj): boolean {
  return (
    doc.kind === 'Kustomization' &&
    typeof doc.apiVersion === 'string' &&
    doc.apiVersion.startsWith(FLUX_KUSTOMIZATION_GROUP)
  );
}

function dependsOnOf(
  spec: Obj | undefined,
  defaultNamespace: string,
): Array<{ namespace: string; name: string }> {
  const list = Array.isArray(spec?.dependsOn) ? spec!.dependsOn : [];
  return list
    .filter(isObj)
    .filter(d => str(d.name))
    .map(d => ({
      name: d.name,
      namespace: str(d.namespace) ?? defaultNamespace,
    }));
}

/** What a kustomize directory applies, collected by walking `resources:` (no rendering). */
interface TreeContent {
  helmReleases: Array<{ doc: Obj; file: string; namespace?: string }>;
  sources: Array<{ doc: Obj; file: string; namespace?: string }>;
  storageClasses: Array<{ doc: Obj; file: string }>;
  workloads: WorkloadInfo[];
}

/**
 * Walks a kustomize directory through its `resources:` entries. Namespaces follow kustomize:
 * the outermost `namespace:` override wins. Rendering is not needed for what the catalog says
 * (names, namespaces, sources, selectors) and keeps the provider free of external tools.
 */
function walkKustomizeDir(
  cache: YamlFileCache,
  dir: string,
  content: TreeContent,
  namespaceOverride: string | undefined,
  seen: Set<string>,
): void {
  if (seen.has(dir)) return;
  seen.add(dir);
  const kfile = KUSTOMIZE_FILES.map(f => path.posix.join(dir, f)).find(f =>
    cache.exists(f),
  );
  if (!kfile) {
    // A plain directory: Flux generates a kustomization of every manifest in it.
    for (const file of cache.listYaml(dir)) {
      collect(cache, file, content, namespaceOverride);
    }
    return;
  }
  const kdoc = cache.read(kfile).find(isObj) as Obj | undefined;
  if (!kdoc) return;
  const ns = namespaceOverride ?? str(kdoc.namespace);
  const resources = Array.isArray(kdoc.resources) ? kdoc.resources : [];
  for (const r of resources) {
    if (typeof r !== 'string' || /^[a-z]+:\/\//.test(r)) continue;
    const target = path.posix.normalize(path.posix.join(dir, r));
    if (cache.isDirectory(target)) {
      walkKustomizeDir(cache, target, content, ns, seen);
    } else if (cache.exists(target)) {
      collect(cache, target, content, ns);
    } else {
      cache.report(kfile, `resource ${r} does not exist`);
    }
  }
}

function collect(
  cache: YamlFileCache,
  file: string,
  content: TreeContent,
  namespace: string | undefined,
): void {
  for (const doc of cache.read(file)) {
    if (!isObj(doc) || typeof doc.apiVersion !== 'string') continue;
    const ns = namespace ?? str(doc.metadata?.namespace);
    if (doc.apiVersion.startsWith(HELM_GROUP) && doc.kind === 'HelmRelease') {
      content.helmReleases.push({ doc, file, namespace: ns });
    } else if (
      doc.apiVersion.startsWith(SOURCE_GROUP) &&
      (doc.kind === 'HelmRepository' || doc.kind === 'OCIRepository')
    ) {
      content.sources.push({ doc, file, namespace: ns });
    } else if (doc.kind === 'StorageClass') {
      content.storageClasses.push({ doc, file });
    } else if (WORKLOAD_KINDS.has(doc.kind)) {
      const labels = doc.spec?.selector?.matchLabels;
      if (isObj(labels) && Object.keys(labels).length > 0) {
        content.workloads.push({
          namespace: ns,
          selector: Object.entries(labels)
            .map(([k, v]) => `${k}=${v}`)
            .sort()
            .join(','),
        });
      }
    }
  }
}

function readKustomization(
  cache: YamlFileCache,
  cluster: string,
  clusterDir: string,
  file: string,
  doc: Obj,
): KustomizationInfo | undefined {
  const name = str(doc.metadata?.name);
  const rawPath = str(doc.spec?.path);
  if (!name) {
    cache.report(file, 'a Flux Kustomization has no metadata.name');
    return undefined;
  }
  if (!rawPath) {
    cache.report(file, `Flux Kustomization ${name} has no spec.path`);
    return undefined;
  }
  const namespace = str(doc.metadata?.namespace) ?? 'flux-system';
  const relPath = path.posix.normalize(rawPath.replace(/^\.\//, ''));
  const content: TreeContent = {
    helmReleases: [],
    sources: [],
    storageClasses: [],
    workloads: [],
  };
  if (!cache.isDirectory(relPath)) {
    cache.report(
      file,
      `Flux Kustomization ${name}: spec.path ${rawPath} is not a directory`,
    );
  } else if (relPath !== clusterDir) {
    walkKustomizeDir(cache, relPath, content, undefined, new Set());
  }
  const relToCluster = path.posix.relative(clusterDir, file);
  const layer = relToCluster.includes('/')
    ? relToCluster.split('/')[0]
    : relToCluster.replace(/\.ya?ml$/, '');
  const helmReleases: HelmReleaseInfo[] = content.helmReleases.flatMap(
    ({ doc: hr, file: hrFile, namespace: ns }) => {
      const hrName = str(hr.metadata?.name);
      if (!hrName) {
        cache.report(hrFile, 'a HelmRelease has no metadata.name');
        return [];
      }
      const hrNs = ns ?? 'default';
      const chartSpec = hr.spec?.chart?.spec;
      const ref = chartSpec?.sourceRef ?? hr.spec?.chartRef;
      return [
        {
          kind: 'HelmRelease' as const,
          cluster,
          namespace: hrNs,
          name: hrName,
          file: hrFile,
          targetNamespace: str(hr.spec?.targetNamespace) ?? hrNs,
          chart: str(chartSpec?.chart),
          version: str(chartSpec?.version),
          sourceRef:
            isObj(ref) && str(ref.name)
              ? {
                  kind: str(ref.kind) ?? 'HelmRepository',
                  namespace: str(ref.namespace) ?? hrNs,
                  name: ref.name,
                }
              : undefined,
          dependsOn: dependsOnOf(hr.spec, hrNs),
          kustomization: name,
        },
      ];
    },
  );
  const sources: SourceInfo[] = content.sources.flatMap(
    ({ doc: s, file: sFile, namespace: ns }) =>
      str(s.metadata?.name)
        ? [
            {
              kind: s.kind,
              cluster,
              namespace: ns ?? 'default',
              name: s.metadata.name,
              file: sFile,
              url: str(s.spec?.url),
              kustomization: name,
            },
          ]
        : [],
  );
  const storageClasses: StorageClassInfo[] = content.storageClasses.flatMap(
    ({ doc: sc, file: scFile }) =>
      str(sc.metadata?.name)
        ? [
            {
              cluster,
              name: sc.metadata.name,
              file: scFile,
              provisioner: str(sc.provisioner),
              providerLabel: str(
                sc.metadata?.labels?.['cloudlab.dev/provider'],
              ),
              reclaimPolicy: str(sc.reclaimPolicy),
              kustomization: name,
            },
          ]
        : [],
  );
  return {
    kind: 'Kustomization',
    cluster,
    namespace,
    name,
    file,
    layer,
    path: relPath,
    dependsOn: dependsOnOf(doc.spec, namespace),
    suspended: doc.spec?.suspend === true,
    helmReleases,
    sources,
    storageClasses,
    workloads: content.workloads,
  };
}

/**
 * Reads every cluster tree `<gitopsDir>/clusters/<cluster>/`: its Flux Kustomizations and, through
 * each one's `spec.path`, the HelmReleases, chart sources, StorageClasses and workloads it applies.
 * Problems are reported on the cache with the file and reason; they never stop the read.
 */
export function readFluxTree(
  cache: YamlFileCache,
  gitopsDir: string,
): FluxModel {
  const clustersDir = path.posix.join(gitopsDir, 'clusters');
  const clusters: ClusterInfo[] = [];
  const names = cache.isDirectory(clustersDir)
    ? [
        ...new Set(
          cache
            .listYaml(clustersDir)
            .map(f => f.slice(clustersDir.length + 1).split('/')[0]),
        ),
      ]
    : [];
  if (!cache.isDirectory(clustersDir)) {
    cache.report(clustersDir, 'is not a directory: no cluster trees to read');
  }
  for (const cluster of names.sort()) {
    const dir = path.posix.join(clustersDir, cluster);
    if (!cache.isDirectory(dir)) continue;
    const kustomizations: KustomizationInfo[] = [];
    for (const file of cache.listYaml(dir)) {
      for (const doc of cache.read(file)) {
        if (!isObj(doc) || !isFluxKustomization(doc)) continue;
        const k = readKustomization(cache, cluster, dir, file, doc);
        if (!k) continue;
        if (
          kustomizations.some(
            o => o.name === k.name && o.namespace === k.namespace,
          )
        ) {
          cache.report(
            file,
            `Flux Kustomization ${k.namespace}/${k.name} is defined twice in cluster ${cluster}`,
          );
          continue;
        }
        kustomizations.push(k);
      }
    }
    for (const k of kustomizations) {
      for (const dep of k.dependsOn) {
        if (
          !kustomizations.some(
            o => o.name === dep.name && o.namespace === dep.namespace,
          )
        ) {
          cache.report(
            k.file,
            `Flux Kustomization ${k.name} depends on ${dep.namespace}/${dep.name}, which cluster ${cluster} does not define`,
          );
        }
      }
    }
    clusters.push({ name: cluster, dir, kustomizations });
  }
  return { clusters };
}
