import { NotFoundError } from '@backstage/errors';
import {
  DesiredKustomization,
  DesiredStorageResponse,
  KubePod,
  ProviderRegistry,
  SlimPVC,
  SlimStorageClass,
  pinnedProvider,
  providerOfDriver,
  slimPod,
  slimPVC,
  slimStorageClass,
  sortFindings,
  storageFindings,
} from '@cloudlab/plugin-multi-provider-common';
import {
  currentSnapshots,
  FluxModel,
  KubeObject,
  readFluxTree,
  RenderedKustomization,
  renderFluxKustomizations,
  GitopsTreeProvider,
  TreeSnapshot,
  TreeSnapshots,
  YamlDocumentCache,
} from '@cloudlab/plugin-multi-provider-node';

type Obj = Record<string, any>;
const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet']);

/** How the desired state is rendered. */
export interface DesiredStorageOptions {
  /** Tree-relative Flux repository directory (the folder holding `clusters/`). */
  fluxPath: string;
  /** Cluster tree shown when the request names none; unset: the tree's only cluster. */
  defaultCluster?: string;
  /** Render command: argv, the kustomization directory is appended (`kubectl kustomize`). */
  kustomize: string[];
  /** How long a rendering is reused. */
  refreshMs: number;
}

/** What one rendered Kustomization contributes. */
interface Rendered {
  pvcs: SlimPVC[];
  classes: SlimStorageClass[];
  workloads: Array<{ kind: string; name: string; pod: KubePod }>;
  error?: string;
}

/** A rendered claim: not created yet, so neither Pending nor Bound. */
function desired(doc: Obj): SlimPVC {
  const claim = slimPVC(doc);
  claim.status = { phase: 'Desired' };
  return claim;
}

/** What the storage view takes from one rendered Kustomization. */
function storageParts(r: RenderedKustomization): Rendered {
  const out: Rendered = { pvcs: [], classes: [], workloads: [] };
  if (r.error) return { ...out, error: r.error };
  for (const doc of r.objects as Array<KubeObject & Obj>) {
    if (doc.kind === 'PersistentVolumeClaim') out.pvcs.push(desired(doc));
    else if (doc.kind === 'StorageClass') {
      out.classes.push(slimStorageClass(doc));
    } else if (WORKLOAD_KINDS.has(doc.kind)) {
      out.workloads.push({
        kind: doc.kind,
        name: doc.metadata?.name ?? '',
        pod: {
          metadata: {
            name: doc.metadata?.name,
            namespace: doc.metadata?.namespace,
          },
          spec: doc.spec?.template?.spec,
        },
      });
      // StatefulSet volumeClaimTemplates become claims too.
      for (const t of doc.spec?.volumeClaimTemplates ?? []) {
        out.pvcs.push(
          desired({
            ...t,
            metadata: {
              ...t.metadata,
              name: `${t.metadata?.name}-${doc.metadata?.name}-0`,
              namespace: doc.metadata?.namespace,
            },
          }),
        );
      }
    }
  }
  return out;
}

/**
 * The claims each Flux Kustomization of a cluster tree will create, with their class, provider
 * and the storage findings, so a reviewer sees a storage mistake before it is merged. The tree
 * is read and each Kustomization's `spec.path` rendered by the one Flux tree reader of
 * `@cloudlab/plugin-multi-provider-node`, from the current snapshot of the
 * {@link GitopsTreeProvider} the backend is given (its `gitopsTreeServiceRef`), following a
 * Kustomization into another source the provider has (a tenant's repository) and rendering it
 * there. Renderings are reused for `refreshMs` and only while every source's revision is the
 * same. The tree is read once per snapshot, through one parse cache kept across snapshots: a new
 * revision re-reads only the files it changed (the catalog module reads the same way).
 */
export class DesiredStorageService {
  private readonly cached = new Map<
    string,
    { at: number; answer: Promise<DesiredStorageResponse> }
  >();
  private revisions?: string;
  /** The parse cache of the root tree, handed on from snapshot to snapshot. */
  private cache?: YamlDocumentCache;
  /** The model of the last snapshot read; reads run one at a time over the one cache. */
  private read?: {
    root: TreeSnapshot;
    revisions: string;
    model: Promise<FluxModel>;
  };

  constructor(
    private readonly options: DesiredStorageOptions,
    private readonly registry: () => ProviderRegistry,
    private readonly tree: GitopsTreeProvider,
  ) {}

  async desiredStorage(cluster?: string): Promise<DesiredStorageResponse> {
    const snapshots = await currentSnapshots(this.tree);
    // A new revision of any source makes every rendering of the previous one stale at once.
    if (snapshots.revisions !== this.revisions) {
      this.cached.clear();
      this.revisions = snapshots.revisions;
    }
    const name = cluster ?? this.options.defaultCluster;
    // '' stands for "the tree's only cluster" (no default configured).
    const key = name ?? '';
    const hit = this.cached.get(key);
    if (hit && Date.now() - hit.at < this.options.refreshMs) return hit.answer;
    const answer = this.compute(snapshots, name);
    this.cached.set(key, { at: Date.now(), answer });
    answer.catch(() => this.cached.delete(key));
    return answer;
  }

  private async compute(
    snapshots: TreeSnapshots,
    cluster?: string,
  ): Promise<DesiredStorageResponse> {
    const { fluxPath } = this.options;
    const source = snapshots.root.source;
    const model = await this.modelOf(snapshots);
    const have = model.clusters.map(c => c.name).join(', ');
    if (cluster === undefined && model.clusters.length !== 1) {
      throw new NotFoundError(
        `No cluster named and cloudlab.gitopsTree.desiredCluster is not set; ${fluxPath}/clusters has ${model.clusters.length} cluster trees (have: ${have})`,
      );
    }
    const tree =
      cluster === undefined
        ? model.clusters[0]
        : model.clusters.find(c => c.name === cluster);
    if (!tree) {
      throw new NotFoundError(
        `No cluster tree ${cluster} under ${fluxPath}/clusters (have: ${have})`,
      );
    }
    const registry = this.registry();
    const kustomizations = tree.kustomizations.filter(k => k.path !== tree.dir);
    // Two renderings at a time: kustomize is quick, and the machine is shared.
    const rendered = (
      await renderFluxKustomizations(source, kustomizations, {
        command: this.options.kustomize,
        concurrency: 2,
        sourceOf: k => snapshots.snapshotOf(k).source,
      })
    ).map(storageParts);
    const allClasses = rendered.flatMap(r => r.classes);
    const rows: DesiredKustomization[] = kustomizations.map((k, i) => {
      const r = rendered[i];
      const pods = r.workloads.map(w => ({ ...w, slim: slimPod(w.pod) }));
      const findings = sortFindings(
        storageFindings({
          registry,
          // Class-wide findings are reported once for the tree, below.
          storageClasses: allClasses.map(c => ({
            ...c,
            metadata: { name: c.metadata.name },
          })),
          pvcs: r.pvcs,
          pods: pods.map(p => p.slim),
        }).filter(f => f.id !== 'immediate-binding-multi-zone'),
      );
      const row: DesiredKustomization = {
        name: k.name,
        namespace: k.namespace,
        path: k.path,
        file: k.file,
        storageClasses: r.classes.map(c => c.metadata.name),
        claims: r.pvcs.map(c => {
          const sc = allClasses.find(
            s => s.metadata.name === c.spec.storageClassName,
          );
          const provider = providerOfDriver(registry, sc?.provisioner);
          return {
            namespace: c.metadata.namespace,
            name: c.metadata.name,
            storageClassName: c.spec.storageClassName ?? null,
            ...(provider ? { provider: provider.name } : {}),
            ...(c.spec.resources?.requests?.storage
              ? { requested: c.spec.resources.requests.storage }
              : {}),
            accessModes: c.spec.accessModes ?? [],
            workloads: pods
              .filter(
                p =>
                  p.slim.namespace === c.metadata.namespace &&
                  p.slim.claims?.includes(c.metadata.name),
              )
              .map(p => {
                const pin = pinnedProvider(p.slim, registry);
                return {
                  kind: p.kind,
                  name: p.name,
                  ...(pin ? { pinnedProvider: pin } : {}),
                };
              }),
          };
        }),
        findings,
      };
      if (r.error) row.error = r.error;
      return row;
    });
    const treeFindings = sortFindings(
      storageFindings({ registry, storageClasses: allClasses, pvcs: [] }),
    );
    return {
      cluster: tree.name,
      clusters: model.clusters.map(c => c.name),
      renderedAt: new Date().toISOString(),
      kustomizations: rows,
      findings: treeFindings,
    };
  }

  /**
   * The Flux model of a snapshot: read once per snapshot (the same root snapshot object and
   * every source at the same revision), after the previous read finished, through the cache of
   * the previous snapshot told which paths changed when the provider knows.
   */
  private modelOf(snapshots: TreeSnapshots): Promise<FluxModel> {
    const { root, revisions } = snapshots;
    const last = this.read;
    if (last && last.root === root && last.revisions === revisions) {
      return last.model;
    }
    const model = (async () => {
      await last?.model.catch(() => undefined);
      if (!this.cache) this.cache = new YamlDocumentCache(root.source);
      else if (this.cache.source !== root.source) {
        const changed =
          root.changes?.since === this.cache.source
            ? root.changes.paths
            : undefined;
        this.cache = this.cache.next(root.source, changed);
      }
      this.cache.begin();
      return await readFluxTree(this.cache, this.options.fluxPath, {
        resolveSource: snapshots.resolveSource,
      });
    })();
    this.read = { root, revisions, model };
    // A failed read is tried again on the next request, not kept.
    model.catch(() => {
      if (this.read?.model === model) this.read = undefined;
    });
    return model;
  }
}
