import path from 'node:path';
import {
  ArtifactTreeSource,
  GeneratedArtifact,
  resolveArtifactGenerator,
} from './artifactGenerator';
import {
  applyFluxKustomization,
  specWrittenOf,
  withFluxSpec,
} from './fluxKustomization';
import { applyNameTransforms, transformsOf } from './kustomizeTransforms';
import {
  RecordedAnswers,
  readsStillHold,
  RecordedReads,
  TreeReads,
} from './RecordedReads';
import { TreeSource } from './TreeSource';
import { YamlDocumentCache } from './YamlDocumentCache';
import {
  ClusterInfo,
  FluxModel,
  GeneratedByInfo,
  HelmReleaseInfo,
  KustomizationInfo,
  SourceInfo,
  SourceRef,
  StorageClassInfo,
  WorkloadInfo,
} from './types';
import { KUSTOMIZE_FILES } from './kustomizationFiles';

type Obj = Record<string, any>;

const FLUX_KUSTOMIZATION_GROUP = 'kustomize.toolkit.fluxcd.io/';
const HELM_GROUP = 'helm.toolkit.fluxcd.io/';
const SOURCE_GROUP = 'source.toolkit.fluxcd.io/';
const GENERATOR_GROUP = 'source.extensions.fluxcd.io/';
const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet']);

const isObj = (v: unknown): v is Obj =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined =>
  typeof v === 'string' && v.length > 0 ? v : undefined;
const refKey = (r: SourceRef) => `${r.kind}/${r.namespace}/${r.name}`;

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

function refsOf(list: unknown, namespace: string): SourceRef[] {
  return (Array.isArray(list) ? list : [])
    .filter(isObj)
    .filter(r => str(r.name))
    .map(r => ({
      kind: str(r.kind) ?? 'ConfigMap',
      namespace: str(r.namespace) ?? namespace,
      name: r.name as string,
      ...(r.optional === true ? { optional: true } : {}),
    }));
}

/** An object a kustomization applies, as it lands (names, namespaces and labels transformed). */
interface Item {
  doc: Obj;
  /** The file it comes from, named in the tree it was read from. */
  file: string;
}

/** A problem found while following one Flux Kustomization. */
interface Problem {
  file: string;
  reason: string;
}

/**
 * Options of {@link readFluxTree}.
 *
 * @public
 */
export interface ReadFluxTreeOptions {
  /**
   * The clusters to read, each by the directory its sync Kustomization reconciles. Default: every
   * Flux Kustomization that reconciles the directory holding its own definition (Flux's
   * bootstrap pattern), else each directory under `<gitopsDir>/clusters/`.
   */
  clusters?: Array<{ name: string; dir: string }>;
  /**
   * The tree of a source other than the one being read (another GitRepository, an
   * OCIRepository, an ExternalArtifact served by the cluster…). A source the tree itself
   * generates (an ArtifactGenerator over the tree's own source) is resolved without it.
   */
  resolveSource?: (ref: SourceRef) => TreeSource | undefined;
}

/**
 * The key of the parse caches of sources other than the tree read, by the source's description,
 * kept for the next read. An ExternalArtifact view is built again each read (its copy rules may
 * match other files now); its new cache takes over the last one's parses, used where content is
 * unchanged.
 */
const OTHER_CACHES = {};

/** The key of the memos a tree's cache keeps for {@link readKustomization}. */
const KUSTOMIZATION_MEMOS = {};

/** One read pass over a tree and the sources it reaches. */
class FluxTreeReader {
  private readonly used = new Map<string, YamlDocumentCache>();
  /** ArtifactGenerators resolved in this pass, by namespace/name. */
  readonly generated = new Map<
    string,
    Promise<{ artifacts: GeneratedArtifact[]; errors: string[] }>
  >();
  /** Kustomizations read in earlier passes, by what they were read from. */
  readonly memos: Map<string, KustomizationMemo>;
  readonly memosUsed = new Set<string>();

  constructor(private readonly main: YamlDocumentCache) {
    this.memos = main.derivedState(KUSTOMIZATION_MEMOS, () => new Map());
  }

  cacheOf(source: TreeSource): YamlDocumentCache {
    if (source === this.main.source) return this.main;
    const caches = this.main.derivedState(
      OTHER_CACHES,
      () => new Map<string, YamlDocumentCache>(),
    );
    const key = source.description;
    let cache = caches.get(key);
    if (cache && this.used.has(key)) {
      // One description is one tree: a second object for it in this pass reads through the first.
      return cache;
    }
    if (!cache || cache.source !== source) {
      const previous = cache;
      cache = new YamlDocumentCache(source);
      if (previous) cache.reuseParsesOf(previous);
      caches.set(key, cache);
    }
    if (!this.used.has(key)) {
      cache.begin();
      this.used.set(key, cache);
    }
    return cache;
  }

  /** Folds what the other sources' caches read into the main cache's fingerprint and errors. */
  finish(): void {
    const caches = this.main.derivedState(
      OTHER_CACHES,
      () => new Map<string, YamlDocumentCache>(),
    );
    for (const [description, cache] of this.used) {
      if (cache === this.main) continue;
      this.main.absorb(cache, `${description}: `);
    }
    // Forget the caches of sources this pass no longer reached (an old revision's tree).
    for (const key of [...caches.keys()]) {
      if (!this.used.has(key)) caches.delete(key);
    }
    // And the Kustomizations it no longer read (removed, or changed into another).
    for (const key of [...this.memos.keys()]) {
      if (!this.memosUsed.has(key)) this.memos.delete(key);
    }
  }

  /**
   * The objects a kustomize directory applies, following `resources:` and `components:` and
   * applying each level's name transformations on the way out, as kustomize does.
   */
  async walk(
    cache: TreeReads,
    dir: string,
    problems: Problem[],
    seen: Set<string>,
    flux?: FluxSpecInFolder,
  ): Promise<Item[]> {
    if (seen.has(dir)) return [];
    seen.add(dir);
    let kfile: string | undefined;
    for (const f of KUSTOMIZE_FILES.map(n => path.posix.join(dir, n))) {
      if (await cache.exists(f)) {
        kfile = f;
        break;
      }
    }
    if (!kfile) {
      // A plain directory: Flux generates a kustomization of every manifest in it and below.
      const items: Item[] = [];
      for (const file of await cache.listYaml(dir)) {
        for (const doc of await cache.read(file)) {
          if (isObj(doc) && typeof doc.apiVersion === 'string')
            items.push({ doc, file });
        }
      }
      if (!flux) return items;
      items.push(...(await flux.components()));
      return this.transformed(
        cache,
        dir,
        withFluxSpec({}, flux.ks),
        flux.file,
        items,
        problems,
      );
    }
    const own = (await cache.read(kfile)).find(isObj) as Obj | undefined;
    if (!own) return [];
    // Flux writes its spec into the path's own kustomization file (replacing its top-level
    // namespace, prefix and suffix), so the spec's values take effect at this level only.
    const kdoc = flux ? withFluxSpec(own, flux.ks) : own;
    const items: Item[] = [];
    const entries = [
      ...(Array.isArray(kdoc.resources) ? kdoc.resources : []),
      ...(Array.isArray(kdoc.components) ? kdoc.components : []),
    ];
    for (const r of entries) {
      if (typeof r !== 'string') continue;
      if (/^[a-z0-9.+-]+:\/\//i.test(r) || /^[^./][^/]*\.[a-z]+\//.test(r)) {
        problems.push({
          file: kfile,
          reason: `remote resource ${r} is not followed`,
        });
        continue;
      }
      const target = path.posix.normalize(path.posix.join(dir, r));
      if (await cache.isDirectory(target)) {
        items.push(...(await this.walk(cache, target, problems, seen)));
      } else if (await cache.exists(target)) {
        for (const doc of await cache.read(target)) {
          if (isObj(doc) && typeof doc.apiVersion === 'string')
            items.push({ doc, file: target });
        }
      } else {
        problems.push({ file: kfile, reason: `resource ${r} does not exist` });
      }
    }
    // Generated ConfigMaps exist in the cluster (valuesFrom and substituteFrom name them).
    for (const g of Array.isArray(kdoc.configMapGenerator)
      ? kdoc.configMapGenerator.filter(isObj)
      : []) {
      if (!str(g.name)) continue;
      const literals = (Array.isArray(g.literals) ? g.literals : [])
        .filter((l: unknown): l is string => typeof l === 'string')
        .map((l: string) => [
          l.slice(0, l.indexOf('=')),
          l.slice(l.indexOf('=') + 1),
        ]);
      items.push({
        doc: {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: {
            name: g.name,
            ...(str(g.namespace) ? { namespace: g.namespace } : {}),
          },
          data: Object.fromEntries(literals),
        },
        file: kfile,
      });
    }
    if (flux) items.push(...(await flux.components()));
    return this.transformed(cache, dir, kdoc, kfile, items, problems);
  }

  /** One kustomization's name transformations applied to the objects below it. */
  private async transformed(
    cache: TreeReads,
    dir: string,
    kdoc: Obj,
    file: string,
    items: Item[],
    problems: Problem[],
  ): Promise<Item[]> {
    const local: string[] = [];
    const transforms = await transformsOf(
      kdoc,
      async p => {
        const docs = await cache.read(path.posix.join(dir, p));
        if (docs.length === 0) return undefined;
        return docs.length === 1 ? docs[0] : docs;
      },
      local,
      file,
    );
    const out = applyNameTransforms(items, transforms, local);
    problems.push(...local.map(reason => ({ file, reason })));
    return out;
  }
}

/** A Flux Kustomization whose spec is written into the kustomization of the folder walked. */
interface FluxSpecInFolder {
  ks: Obj;
  /** The file defining the Flux Kustomization, named by problems of its patches. */
  file: string;
  /** The objects of the spec's components, walked after the folder's own resources. */
  components: () => Promise<Item[]>;
}

/** What a cluster's walk has seen so far: ConfigMaps for substitution, generators for artifacts. */
interface ClusterScope {
  name: string;
  dir: string;
  /** The source the cluster's sync Kustomization reads: the tree itself. */
  ownSource?: SourceRef;
  configMaps: Map<string, Record<string, string>>;
  generators: Item[];
}

/** The Flux Kustomizations of a list of objects, by the list (reused lists are not scanned again). */
const fluxKustomizationItems = new WeakMap<Item[], Item[]>();

function fluxKustomizationsIn(items: Item[]): Item[] {
  let found = fluxKustomizationItems.get(items);
  if (!found) {
    found = items.filter(i => isFluxKustomization(i.doc));
    fluxKustomizationItems.set(items, found);
  }
  return found;
}

/** What a list of objects adds to a cluster's scope, by the list (reused lists are not scanned again). */
const scopeParts = new WeakMap<
  Item[],
  { configMaps: Array<[string, Record<string, string>]>; generators: Item[] }
>();

function collectScope(scope: ClusterScope, items: Item[]): void {
  let part = scopeParts.get(items);
  if (!part) {
    part = { configMaps: [], generators: [] };
    for (const { doc } of items) {
      const ns = str(doc.metadata?.namespace) ?? 'default';
      if (doc.kind === 'ConfigMap' && doc.apiVersion === 'v1') {
        const name = str(doc.metadata?.name);
        if (name)
          part.configMaps.push([`${ns}/${name}`, stringRecord(doc.data)]);
      } else if (
        doc.kind === 'ArtifactGenerator' &&
        String(doc.apiVersion).startsWith(GENERATOR_GROUP)
      ) {
        part.generators.push({ doc, file: '' });
      }
    }
    scopeParts.set(items, part);
  }
  for (const [key, data] of part.configMaps) scope.configMaps.set(key, data);
  scope.generators.push(...part.generators);
}

/** The tree a Kustomization's sourceRef points at, or why it cannot be read here. */
async function sourceTree(
  reader: FluxTreeReader,
  scope: ClusterScope,
  ref: SourceRef,
  options: ReadFluxTreeOptions,
  main: YamlDocumentCache,
  depth = 0,
): Promise<{ source?: TreeSource; problems: string[] }> {
  const own =
    scope.ownSource === undefined
      ? ref.kind === 'GitRepository'
      : refKey(scope.ownSource) === refKey(ref);
  if (own) return { source: main.source, problems: [] };
  if (ref.kind === 'ExternalArtifact' && depth < 4) {
    for (const { doc } of scope.generators) {
      const ns = str(doc.metadata?.namespace) ?? 'default';
      const artifacts: Obj[] = Array.isArray(doc.spec?.artifacts)
        ? doc.spec.artifacts.filter(isObj)
        : [];
      if (ns !== ref.namespace || !artifacts.some(a => a.name === ref.name))
        continue;
      // Resolved once per cluster and pass: every Kustomization of the artifact reads one view.
      const key = `${scope.name}|${ns}/${doc.metadata?.name}`;
      let pending = reader.generated.get(key);
      if (!pending) {
        pending = (async () => {
          const problems: string[] = [];
          const aliases = new Map<string, TreeSource>();
          for (const s of (Array.isArray(doc.spec?.sources)
            ? doc.spec.sources
            : []
          ).filter(isObj)) {
            const sref = {
              kind: str(s.kind) ?? 'GitRepository',
              namespace: str(s.namespace) ?? ns,
              name: String(s.name),
            };
            const resolved = await sourceTree(
              reader,
              scope,
              sref,
              options,
              main,
              depth + 1,
            );
            problems.push(...resolved.problems);
            if (resolved.source && str(s.alias))
              aliases.set(s.alias, resolved.source);
          }
          const result = await resolveArtifactGenerator(
            `${ns}/${doc.metadata?.name}`,
            {
              sources: [],
              artifacts: artifacts.map(a => ({
                name: String(a.name),
                copy: (Array.isArray(a.copy) ? a.copy : []).filter(
                  isObj,
                ) as any,
              })),
            },
            aliases,
          );
          return {
            artifacts: result.artifacts,
            errors: [...problems, ...result.errors],
          };
        })();
        reader.generated.set(key, pending);
      }
      const generated = await pending;
      const problems = [...generated.errors];
      const artifact = generated.artifacts.find(a => a.name === ref.name);
      return { source: artifact?.tree, problems };
    }
  }
  const resolved = options.resolveSource?.(ref);
  if (resolved) return { source: resolved, problems: [] };
  return {
    problems: [
      `source ${ref.kind} ${ref.namespace}/${
        ref.name
      } is not readable here (not this tree's own source${
        ref.kind === 'ExternalArtifact'
          ? ', no ArtifactGenerator in the cluster makes it'
          : ''
      }, and no reader of other sources is configured)`,
    ],
  };
}

function classify(
  items: Item[],
  cluster: string,
  kustomization: string,
  configMap: (key: string) => Record<string, string> | undefined,
  unread: SourceRef[],
  problems: Problem[],
) {
  const helmReleases: HelmReleaseInfo[] = [];
  const sources: SourceInfo[] = [];
  const storageClasses: StorageClassInfo[] = [];
  const workloads: WorkloadInfo[] = [];
  for (const { doc, file } of items) {
    const name = str(doc.metadata?.name);
    const ns = str(doc.metadata?.namespace);
    if (doc.apiVersion.startsWith(HELM_GROUP) && doc.kind === 'HelmRelease') {
      if (!name) {
        problems.push({ file, reason: 'a HelmRelease has no metadata.name' });
        continue;
      }
      const hrNs = ns ?? 'default';
      const chartSpec = doc.spec?.chart?.spec;
      const ref = chartSpec?.sourceRef ?? doc.spec?.chartRef;
      const target = str(doc.spec?.targetNamespace);
      const valuesFrom = refsOf(doc.spec?.valuesFrom, hrNs);
      for (const v of valuesFrom) {
        if (v.kind === 'Secret') unread.push(v);
        else if (
          v.kind === 'ConfigMap' &&
          !configMap(`${v.namespace}/${v.name}`) &&
          !(v as { optional?: boolean }).optional
        ) {
          problems.push({
            file,
            reason: `HelmRelease ${hrNs}/${name}: valuesFrom ConfigMap ${v.namespace}/${v.name} is not in the tree`,
          });
        }
      }
      helmReleases.push({
        kind: 'HelmRelease',
        cluster,
        namespace: hrNs,
        name,
        file,
        targetNamespace: target ?? hrNs,
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
        dependsOn: dependsOnOf(doc.spec, hrNs),
        kustomization,
        releaseName:
          str(doc.spec?.releaseName) ?? (target ? `${target}-${name}` : name),
        valuesFrom: valuesFrom.map(({ kind, namespace, name: n }) => ({
          kind,
          namespace,
          name: n,
        })),
      });
    } else if (
      doc.apiVersion.startsWith(SOURCE_GROUP) &&
      (doc.kind === 'HelmRepository' || doc.kind === 'OCIRepository')
    ) {
      if (name)
        sources.push({
          kind: doc.kind,
          cluster,
          namespace: ns ?? 'default',
          name,
          file,
          url: str(doc.spec?.url),
          kustomization,
        });
    } else if (doc.kind === 'StorageClass') {
      if (name)
        storageClasses.push({
          cluster,
          name,
          file,
          provisioner: str(doc.provisioner),
          providerLabel: str(doc.metadata?.labels?.['cloudlab.dev/provider']),
          reclaimPolicy: str(doc.reclaimPolicy),
          kustomization,
        });
    } else if (WORKLOAD_KINDS.has(doc.kind)) {
      const labels = doc.spec?.selector?.matchLabels;
      if (isObj(labels) && Object.keys(labels).length > 0) {
        workloads.push({
          name,
          namespace: ns,
          selector: Object.entries(labels)
            .map(([k, v]) => `${k}=${v}`)
            .sort()
            .join(','),
        });
      }
    }
  }
  return { helmReleases, sources, storageClasses, workloads };
}

/** What a Flux Kustomization applies, before the cluster's scope is consulted for its content. */
interface KustomizationItems {
  items: Item[];
  problems: Problem[];
  unread: SourceRef[];
  ref?: SourceRef;
  sourceDescription?: string;
  generatedBy?: GeneratedByInfo;
  substituteValues: Record<string, string>;
  substituteFromRefs: SourceRef[];
}

/** A ConfigMap of the cluster's scope as a Kustomization's read saw it (`''`: not there). */
type ScopeLookups = Map<string, string>;

function scopeLookup(scope: ClusterScope, seen: ScopeLookups) {
  return (key: string) => {
    const data = scope.configMaps.get(key);
    seen.set(key, data ? JSON.stringify(data) : '');
    return data;
  };
}

function lookupsHold(scope: ClusterScope, seen: ScopeLookups): boolean {
  for (const [key, json] of seen) {
    const data = scope.configMaps.get(key);
    if ((data ? JSON.stringify(data) : '') !== json) return false;
  }
  return true;
}

/**
 * A Flux Kustomization read in an earlier pass, reused while every read it made of this tree
 * answers the same, and every ConfigMap of the scope it used is the same: the model is rebuilt
 * only for Kustomizations whose files (or inputs) changed. Reads of other sources are not
 * recorded; a Kustomization of another source is read every pass.
 */
interface KustomizationMemo {
  doc: Obj;
  docKey: string;
  reads: RecordedAnswers;
  before: ScopeLookups;
  read: KustomizationItems;
  after: ScopeLookups;
  content: ReturnType<typeof classify>;
  contentProblems: Problem[];
  contentUnread: SourceRef[];
}

const contentKeys = new WeakMap<Obj, string>();

/** A document's content as a string, computed once per document object. */
function contentKey(doc: Obj): string {
  let key = contentKeys.get(doc);
  if (key === undefined) {
    key = JSON.stringify(doc);
    contentKeys.set(doc, key);
  }
  return key;
}

/**
 * Reads one Flux Kustomization: its source, its `spec.path` there, Flux's own transformations
 * (components, patches, name prefix and suffix, target namespace, postBuild substitution), and
 * what the result applies. Returns the objects too: nested Flux Kustomizations are found there.
 */
async function readKustomization(
  reader: FluxTreeReader,
  main: YamlDocumentCache,
  options: ReadFluxTreeOptions,
  scope: ClusterScope,
  file: string,
  doc: Obj,
  layer: string,
): Promise<{ info: KustomizationInfo; items: Item[] } | undefined> {
  const name = str(doc.metadata?.name);
  const rawPath = str(doc.spec?.path);
  if (!name) {
    main.report(file, 'a Flux Kustomization has no metadata.name');
    return undefined;
  }
  if (!rawPath) {
    // Flux would read the whole source; a tree read takes that for a mistake.
    main.report(file, `Flux Kustomization ${name} has no spec.path`);
    return undefined;
  }
  const namespace = str(doc.metadata?.namespace) ?? 'flux-system';
  const relPath =
    path.posix.normalize(rawPath.replace(/^\.\//, '').replace(/^\/+/, '')) ||
    '.';
  const memoKey = [
    scope.name,
    scope.ownSource ? refKey(scope.ownSource) : '',
    file,
    layer,
    namespace,
    name,
  ].join('\0');
  const held = reader.memos.get(memoKey);
  // The same object, or another with the same content (its file was parsed again).
  const memo =
    held && (held.doc === doc || held.docKey === contentKey(doc))
      ? held
      : undefined;
  reader.memosUsed.add(memoKey);
  let read: KustomizationItems | undefined;
  let before: ScopeLookups = new Map();
  let reads: RecordedAnswers | undefined;
  if (
    memo &&
    lookupsHold(scope, memo.before) &&
    (await readsStillHold(main, memo.reads))
  ) {
    read = memo.read;
    before = memo.before;
    reads = memo.reads;
  } else {
    const recorded = new RecordedReads(main);
    read = await readKustomizationItems(
      reader,
      main,
      recorded,
      options,
      scope,
      { file, doc, name, namespace, rawPath, relPath },
      scopeLookup(scope, before),
    );
    // Only a read of this tree alone is recorded in full.
    reads = read.sourceDescription === undefined ? recorded.reads() : undefined;
  }
  const { items } = read;
  collectScope(scope, items);
  let content: ReturnType<typeof classify>;
  let contentProblems: Problem[] = [];
  let contentUnread: SourceRef[] = [];
  let after: ScopeLookups = new Map();
  if (memo && read === memo.read && lookupsHold(scope, memo.after)) {
    ({ content, contentProblems, contentUnread, after } = memo);
  } else {
    content = classify(
      items,
      scope.name,
      name,
      scopeLookup(scope, after),
      contentUnread,
      contentProblems,
    );
  }
  if (reads) {
    reader.memos.set(memoKey, {
      doc,
      docKey: contentKey(doc),
      reads,
      before,
      read,
      after,
      content,
      contentProblems,
      contentUnread,
    });
  } else {
    reader.memos.delete(memoKey);
  }
  const problems = [...read.problems, ...contentProblems];
  const unread = [...read.unread, ...contentUnread];
  for (const p of problems) main.report(p.file, p.reason);
  const { ref, sourceDescription, substituteValues, substituteFromRefs } = read;
  return {
    info: {
      kind: 'Kustomization',
      cluster: scope.name,
      namespace,
      name,
      file,
      layer,
      path: relPath,
      ...(ref ? { sourceRef: ref } : {}),
      ...(sourceDescription ? { sourceTree: sourceDescription } : {}),
      ...(read.generatedBy ? { generatedBy: read.generatedBy } : {}),
      dependsOn: dependsOnOf(doc.spec, namespace),
      suspended: doc.spec?.suspend === true,
      targetNamespace: str(doc.spec?.targetNamespace),
      substitute: substituteValues,
      substituteFrom: substituteFromRefs
        .filter(s => s.kind === 'ConfigMap')
        .map(s => s.name),
      ...(str(doc.spec?.namePrefix) ? { namePrefix: doc.spec.namePrefix } : {}),
      ...(str(doc.spec?.nameSuffix) ? { nameSuffix: doc.spec.nameSuffix } : {}),
      ...(specWrittenOf(doc) ? { specWritten: specWrittenOf(doc) } : {}),
      unread: unread.map(({ kind, namespace: n, name: m }) => ({
        kind,
        namespace: n,
        name: m,
      })),
      errors: problems.map(p => `${p.file}: ${p.reason}`),
      ...content,
    },
    items,
  };
}

/** The objects one Flux Kustomization applies, as they land, and the problems on the way. */
async function readKustomizationItems(
  reader: FluxTreeReader,
  main: YamlDocumentCache,
  mainReads: TreeReads,
  options: ReadFluxTreeOptions,
  scope: ClusterScope,
  k: {
    file: string;
    doc: Obj;
    name: string;
    namespace: string;
    rawPath: string;
    relPath: string;
  },
  configMap: (key: string) => Record<string, string> | undefined,
): Promise<KustomizationItems> {
  const { file, doc, name, namespace, rawPath, relPath } = k;
  const problems: Problem[] = [];
  const problem = (reason: string) =>
    problems.push({ file, reason: `Flux Kustomization ${name}: ${reason}` });
  const ref = isObj(doc.spec?.sourceRef)
    ? {
        kind: str(doc.spec.sourceRef.kind) ?? 'GitRepository',
        namespace: str(doc.spec.sourceRef.namespace) ?? namespace,
        name: String(doc.spec.sourceRef.name ?? ''),
      }
    : undefined;
  let items: Item[] = [];
  let namesWritten = false;
  let sourceDescription: string | undefined;
  let generatedBy: GeneratedByInfo | undefined;
  const resolved = ref
    ? await sourceTree(reader, scope, ref, options, main)
    : { source: main.source, problems: [] };
  resolved.problems.forEach(problem);
  const source = resolved.source;
  if (source) {
    const cache = reader.cacheOf(source);
    const reads: TreeReads = cache === main ? mainReads : cache;
    if (source !== main.source) sourceDescription = source.description;
    const local: Problem[] = [];
    if (relPath.startsWith('..')) {
      problem(`spec.path ${rawPath} leaves the source's root`);
    } else if (!(await reads.isDirectory(relPath))) {
      problem(`spec.path ${rawPath} is not a directory`);
    } else {
      const seen = new Set<string>();
      // The spec's components sit in the same kustomization as the path's own resources, so
      // the path's transformations (with the spec written in) apply to them too.
      const components = async () => {
        const out: Item[] = [];
        for (const c of Array.isArray(doc.spec?.components)
          ? doc.spec.components
          : []) {
          if (typeof c !== 'string') continue;
          const dir = path.posix.normalize(path.posix.join(relPath, c));
          if (await reads.isDirectory(dir)) {
            out.push(...(await reader.walk(reads, dir, local, seen)));
          } else problem(`component ${c} is not a directory`);
        }
        return out;
      };
      items = await reader.walk(reads, relPath, local, seen, {
        ks: doc,
        file,
        components,
      });
      namesWritten = true;
    }
    const prefix = cache === main ? '' : `${source.description}: `;
    problems.push(...local.map(p => ({ ...p, file: `${prefix}${p.file}` })));
    if (source instanceof ArtifactTreeSource && source.generatedBy) {
      generatedBy = { ...source.generatedBy, copiedFrom: {} };
      for (const { file: f } of items) {
        const from = source.copiedFrom(f);
        if (from)
          generatedBy.copiedFrom[f] = {
            sourceTree: from.source.description,
            path: from.path,
          };
      }
    }
  } else {
    // Not readable here: never reused, since what makes it readable is not a read of this tree.
    sourceDescription = '';
  }
  // Flux's own transformations, after kustomize's.
  const transformProblems: string[] = [];
  const applied = await applyFluxKustomization(
    items,
    doc,
    (ns, cm) => configMap(`${ns}/${cm}`),
    transformProblems,
    { namesWritten },
  );
  items = applied.items;
  transformProblems.forEach(r => problems.push({ file, reason: r }));
  const { substituteValues } = applied;
  const substituteFromRefs: SourceRef[] = applied.substituteFrom.map(
    ({ kind, namespace: n, name: m }) => ({ kind, namespace: n, name: m }),
  );
  const unread: SourceRef[] = substituteFromRefs.filter(
    r => r.kind === 'Secret',
  );
  // What a Secret would supply stays unknown: the Secret is listed as unread on the entity.
  return {
    items,
    problems,
    unread,
    ref,
    sourceDescription,
    ...(generatedBy ? { generatedBy } : {}),
    substituteValues,
    substituteFromRefs,
  };
}

function layerOf(clusterDir: string, file: string): string | undefined {
  // Both are normalised repository-relative paths: a prefix is a containment.
  const prefix = clusterDir === '.' ? '' : `${clusterDir}/`;
  if (!file.startsWith(prefix)) return undefined;
  const rel = file.slice(prefix.length);
  return rel.includes('/') ? rel.split('/')[0] : rel.replace(/\.ya?ml$/, '');
}

/** Source kinds a cluster's sync Kustomization reads (what `flux bootstrap` writes, or an OCI flow). */
const SYNC_SOURCE_KINDS = new Set(['GitRepository', 'OCIRepository', 'Bucket']);

/**
 * The clusters of a tree: every Flux Kustomization whose `spec.path` holds the file that
 * defines it, and whose source is defined in the same directory — a cluster's sync pair as
 * `flux bootstrap` writes it. The cluster's name is its directory's.
 */
async function discoverClusters(
  cache: YamlDocumentCache,
  gitopsDir: string,
): Promise<Array<{ name: string; dir: string }>> {
  const found = new Map<string, { name: string; dir: string }>();
  if (!(await cache.isDirectory(gitopsDir))) return [];
  // Every file is read here once, in parallel; the walk that follows finds it in the cache.
  const files = await cache.listYaml(gitopsDir);
  const facts = (await cache.readMany(files)).map((docs, i) =>
    syncFactsOf(files[i], docs),
  );
  const sourcesByDir = new Set(facts.flatMap(f => f.sources));
  for (const f of facts) {
    for (const c of f.candidates) {
      if (sourcesByDir.has(c.source))
        found.set(c.dir, { name: c.name, dir: c.dir });
    }
  }
  return [...found.values()];
}

/** What one file offers to cluster discovery: sync sources, and Flux Kustomizations that may pair with one. */
interface SyncFacts {
  /** `<directory>|<kind>|<name>` of each source a sync Kustomization may read. */
  sources: string[];
  /** Flux Kustomizations reconciling a directory that holds their file, with the source they need beside them. */
  candidates: Array<{ source: string; dir: string; name: string }>;
}

/** By the documents array (the cache hands out the same one while the file is unchanged). */
const syncFacts = new WeakMap<unknown[], { file: string; facts: SyncFacts }>();

function syncFactsOf(file: string, docs: unknown[]): SyncFacts {
  const known = syncFacts.get(docs);
  if (known?.file === file) return known.facts;
  const facts: SyncFacts = { sources: [], candidates: [] };
  const fileDir = path.posix.dirname(file);
  for (const doc of docs) {
    if (!isObj(doc)) continue;
    if (SYNC_SOURCE_KINDS.has(doc.kind)) {
      facts.sources.push(`${fileDir}|${doc.kind}|${doc.metadata?.name}`);
    }
    if (!isFluxKustomization(doc)) continue;
    const raw = str(doc.spec?.path);
    const ref = doc.spec?.sourceRef;
    if (!raw || !isObj(ref)) continue;
    const dir = (
      path.posix.normalize(raw.replace(/^\.\//, '').replace(/^\/+/, '')) || '.'
    ).replace(/\/$/, '');
    const dirSlash = dir === '.' ? '' : `${dir}/`;
    if (dir.startsWith('..') || !file.startsWith(dirSlash)) continue;
    facts.candidates.push({
      source: `${fileDir}|${ref.kind}|${ref.name}`,
      dir,
      name: dir === '.' ? String(ref.name) : path.posix.basename(dir),
    });
  }
  syncFacts.set(docs, { file, facts });
  return facts;
}

/**
 * Reads every cluster of a GitOps tree: from each cluster's sync Kustomization, every Flux
 * Kustomization it reaches (layers, tenants, nested ones), each read from its own source
 * (this tree, an ArtifactGenerator's view of it, or `options.resolveSource`), and the
 * HelmReleases, chart sources, StorageClasses and workloads each applies — with names,
 * namespaces and labels as they land (kustomize and Flux transformations, postBuild
 * substitution from the tree's ConfigMaps). Problems are reported on the cache with the file and
 * reason and on the Kustomization they concern; they never stop the read. Secrets are never read.
 *
 * @public
 */
export async function readFluxTree(
  cache: YamlDocumentCache,
  gitopsDir: string,
  options: ReadFluxTreeOptions = {},
): Promise<FluxModel> {
  const reader = new FluxTreeReader(cache);
  let roots = options.clusters ?? (await discoverClusters(cache, gitopsDir));
  if (roots.length === 0) {
    const clustersDir = path.posix.join(gitopsDir, 'clusters');
    if (!(await cache.isDirectory(clustersDir))) {
      cache.report(clustersDir, 'is not a directory: no cluster trees to read');
    } else {
      roots = (await cache.source.list(clustersDir))
        .filter(e => e.kind === 'directory')
        .map(e => ({
          name: e.name,
          dir: path.posix.join(clustersDir, e.name),
        }));
    }
  }
  const clusters: ClusterInfo[] = [];
  for (const root of [...roots].sort((a, b) => a.name.localeCompare(b.name))) {
    const { name: cluster, dir } = root;
    const scope: ClusterScope = {
      name: cluster,
      dir,
      configMaps: new Map(),
      generators: [],
    };
    const kustomizations: KustomizationInfo[] = [];
    const byRef = new Map<string, KustomizationInfo>();
    const problems: Problem[] = [];
    // The cluster directory as Flux applies it; its sync Kustomization is among its objects.
    const queue: Array<{ items: Item[]; layer?: string }> = [
      { items: await reader.walk(cache, dir, problems, new Set()) },
    ];
    for (const p of problems) cache.report(p.file, p.reason);
    collectScope(scope, queue[0].items);
    const sync = queue[0].items.find(
      i =>
        isFluxKustomization(i.doc) &&
        path.posix.normalize(
          String(i.doc.spec?.path ?? '').replace(/^\.\//, ''),
        ) === dir,
    );
    if (sync && isObj(sync.doc.spec?.sourceRef)) {
      scope.ownSource = {
        kind: str(sync.doc.spec.sourceRef.kind) ?? 'GitRepository',
        namespace:
          str(sync.doc.spec.sourceRef.namespace) ??
          str(sync.doc.metadata?.namespace) ??
          'flux-system',
        name: String(sync.doc.spec.sourceRef.name),
      };
    }
    while (queue.length) {
      const { items, layer: parentLayer } = queue.shift()!;
      for (const { doc, file } of fluxKustomizationsIn(items)) {
        const ns = str(doc.metadata?.namespace) ?? 'flux-system';
        const existing = byRef.get(`${ns}/${doc.metadata?.name}`);
        if (existing) {
          if (existing.file !== file) {
            cache.report(
              file,
              `Flux Kustomization ${ns}/${doc.metadata?.name} is defined twice in cluster ${cluster}`,
            );
          }
          continue;
        }
        const layer = layerOf(dir, file) ?? parentLayer ?? 'apps';
        const read = await readKustomization(
          reader,
          cache,
          options,
          scope,
          file,
          doc,
          layer,
        );
        if (!read) continue;
        kustomizations.push(read.info);
        byRef.set(`${read.info.namespace}/${read.info.name}`, read.info);
        // The cluster directory's own objects are already walked.
        if (read.info.path !== dir || read.info.sourceTree)
          queue.push({ items: read.items, layer });
      }
    }
    for (const k of kustomizations) {
      for (const dep of k.dependsOn) {
        if (!byRef.has(`${dep.namespace}/${dep.name}`)) {
          const reason = `Flux Kustomization ${k.name} depends on ${dep.namespace}/${dep.name}, which cluster ${cluster} does not define`;
          cache.report(k.file, reason);
          k.errors.push(`${k.file}: ${reason}`);
        }
      }
    }
    clusters.push({ name: cluster, dir, kustomizations });
  }
  reader.finish();
  return { clusters };
}
