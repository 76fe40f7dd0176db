import path from 'node:path';
import { YamlDocumentCache } from './YamlDocumentCache';
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

function stringRecord(v: unknown): Record<string, string> {
  return isObj(v)
    ? Object.fromEntries(
        Object.entries(v).filter(
          (e): e is [string, string] => typeof e[1] === 'string',
        ),
      )
    : {};
}

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
async function walkKustomizeDir(
  cache: YamlDocumentCache,
  dir: string,
  content: TreeContent,
  namespaceOverride: string | undefined,
  seen: Set<string>,
): Promise<void> {
  if (seen.has(dir)) return;
  seen.add(dir);
  let kfile: string | undefined;
  for (const f of KUSTOMIZE_FILES.map(n => path.posix.join(dir, n))) {
    if (await cache.exists(f)) {
      kfile = f;
      break;
    }
  }
  if (!kfile) {
    // A plain directory: Flux generates a kustomization of every manifest in it.
    for (const file of await cache.listYaml(dir)) {
      await collect(cache, file, content, namespaceOverride);
    }
    return;
  }
  const kdoc = (await cache.read(kfile)).find(isObj) as Obj | undefined;
  if (!kdoc) return;
  const ns = namespaceOverride ?? str(kdoc.namespace);
  const resources = Array.isArray(kdoc.resources) ? kdoc.resources : [];
  for (const r of resources) {
    if (typeof r !== 'string' || /^[a-z]+:\/\//.test(r)) continue;
    const target = path.posix.normalize(path.posix.join(dir, r));
    if (await cache.isDirectory(target)) {
      await walkKustomizeDir(cache, target, content, ns, seen);
    } else if (await cache.exists(target)) {
      await collect(cache, target, content, ns);
    } else {
      cache.report(kfile, `resource ${r} does not exist`);
    }
  }
}

async function collect(
  cache: YamlDocumentCache,
  file: string,
  content: TreeContent,
  namespace: string | undefined,
): Promise<void> {
  for (const doc of await cache.read(file)) {
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

async function readKustomization(
  cache: YamlDocumentCache,
  cluster: string,
  clusterDir: string,
  file: string,
  doc: Obj,
): Promise<KustomizationInfo | undefined> {
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
  if (!(await cache.isDirectory(relPath))) {
    cache.report(
      file,
      `Flux Kustomization ${name}: spec.path ${rawPath} is not a directory`,
    );
  } else if (relPath !== clusterDir) {
    await walkKustomizeDir(cache, relPath, content, undefined, new Set());
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
    targetNamespace: str(doc.spec?.targetNamespace),
    substitute: stringRecord(doc.spec?.postBuild?.substitute),
    substituteFrom: (Array.isArray(doc.spec?.postBuild?.substituteFrom)
      ? (doc.spec.postBuild.substituteFrom as unknown[])
      : []
    )
      .filter(isObj)
      .filter(s => s.kind === 'ConfigMap' && str(s.name))
      .map(s => s.name as string),
    helmReleases,
    sources,
    storageClasses,
    workloads: content.workloads,
  };
}

/**
 * Reads every cluster tree `<gitopsDir>/clusters/<cluster>/`: its Flux Kustomizations and, through
 * each one's `spec.path`, the HelmReleases, chart sources, StorageClasses and workloads it applies.
 * Problems are reported on the cache with the file and reason; they never stop the read. Every
 * file is read asynchronously through the cache, so the read never blocks the event loop.
 *
 * @public
 */
export async function readFluxTree(
  cache: YamlDocumentCache,
  gitopsDir: string,
): Promise<FluxModel> {
  const clustersDir = path.posix.join(gitopsDir, 'clusters');
  const clusters: ClusterInfo[] = [];
  const hasClusters = await cache.isDirectory(clustersDir);
  const names = hasClusters
    ? [
        ...new Set(
          (await cache.listYaml(clustersDir)).map(
            f => f.slice(clustersDir.length + 1).split('/')[0],
          ),
        ),
      ]
    : [];
  if (!hasClusters) {
    cache.report(clustersDir, 'is not a directory: no cluster trees to read');
  }
  for (const cluster of names.sort()) {
    const dir = path.posix.join(clustersDir, cluster);
    if (!(await cache.isDirectory(dir))) continue;
    const kustomizations: KustomizationInfo[] = [];
    for (const file of await cache.listYaml(dir)) {
      for (const doc of await cache.read(file)) {
        if (!isObj(doc) || !isFluxKustomization(doc)) continue;
        const k = await readKustomization(cache, cluster, dir, file, doc);
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
