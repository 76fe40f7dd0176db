import type { GitopsTreeProvider, TreeSnapshot } from './GitopsTreeProvider';
import type { TreeSource } from './TreeSource';
import type { KustomizationInfo, SourceRef } from './types';

/**
 * One read of a {@link GitopsTreeProvider}: the root snapshot, the other sources it offers, and
 * which of them each Flux Kustomization was read from.
 *
 * @public
 */
export interface TreeSnapshots {
  /** The provider's `current()` snapshot: the tree the clusters are found in. */
  root: TreeSnapshot;
  /** Every source's snapshot by `Kind/namespace/name`; empty for a provider of one tree. */
  sources: ReadonlyMap<string, TreeSnapshot>;
  /** `readFluxTree`'s `resolveSource`: the tree of another source, when the provider has it. */
  resolveSource(ref: SourceRef): TreeSource | undefined;
  /**
   * The snapshot a Kustomization's `spec.path` was read from: the other source the reader
   * followed it into, else the root (its own tree, or an ArtifactGenerator's view of it).
   */
  snapshotOf(
    k: Pick<KustomizationInfo, 'sourceRef' | 'sourceTree'>,
  ): TreeSnapshot;
  /**
   * Where a file a Kustomization's objects were read from really is: the snapshot of the source
   * holding it and its path there. A file of an ArtifactGenerator's view is the source file it
   * was copied from (`generator` names the generator and artifact); any other file is in
   * {@link TreeSnapshots.snapshotOf}'s snapshot at the same path.
   */
  fileOrigin(
    k: Pick<KustomizationInfo, 'sourceRef' | 'sourceTree' | 'generatedBy'>,
    file: string,
  ): FileOrigin;
  /** Every snapshot's source and revision in one string: equal strings, same trees. */
  readonly revisions: string;
}

/**
 * A file's real place: the snapshot of its source, its path there, and the ArtifactGenerator
 * whose view it was read through.
 *
 * @public
 */
export interface FileOrigin {
  snapshot: TreeSnapshot;
  path: string;
  /** `ArtifactGenerator <namespace/name>, ExternalArtifact <name>`. */
  generator?: string;
}

const refKey = (r: SourceRef) => `${r.kind}/${r.namespace}/${r.name}`;

/**
 * The provider's current snapshot with its other sources (`sources()`, when it has them): what
 * the catalog module and the desired views read, so a Kustomization in another source is read
 * at the revision Flux applies and every entity names the source and revision it came from.
 *
 * @public
 */
export async function currentSnapshots(
  provider: GitopsTreeProvider,
): Promise<TreeSnapshots> {
  const root = await provider.current();
  const sources: ReadonlyMap<string, TreeSnapshot> =
    provider.sources?.() ?? new Map();
  const snapshotOf: TreeSnapshots['snapshotOf'] = k => {
    if (k.sourceTree === undefined || !k.sourceRef) return root;
    const other = sources.get(refKey(k.sourceRef));
    // The reader names the tree it read: another source only when it is that source's tree.
    return other?.source.description === k.sourceTree ? other : root;
  };
  const byTree = (description: string) =>
    root.source.description === description
      ? root
      : [...sources.values()].find(s => s.source.description === description);
  return {
    root,
    sources,
    resolveSource: ref => sources.get(refKey(ref))?.source,
    snapshotOf,
    fileOrigin: (k, file) => {
      const g = k.generatedBy;
      if (!g) return { snapshot: snapshotOf(k), path: file };
      const generator = `ArtifactGenerator ${g.generator}, ExternalArtifact ${g.artifact}`;
      const copy = g.copiedFrom[file];
      const from = copy && byTree(copy.sourceTree);
      return from
        ? { snapshot: from, path: copy.path, generator }
        : { snapshot: snapshotOf(k), path: file, generator };
    },
    revisions: [root, ...sources.values()]
      .map(s => `${s.origin.location}@${s.origin.revision}`)
      .join('\n'),
  };
}
