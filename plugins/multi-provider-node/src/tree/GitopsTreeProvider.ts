import type { TreeSource } from './TreeSource';

/**
 * Where a snapshot of the GitOps tree was read from, shown on every entity read from it.
 *
 * @public
 */
export interface TreeOrigin {
  /** `local`: a folder on disk (development); `url`: a Git host through the UrlReaderService; `flux`: a Flux source artifact. */
  kind: 'local' | 'url' | 'flux';
  /** The folder, the URL, or the Flux source (`GitRepository/flux-system/platform`). */
  location: string;
  /** The revision read: Flux's `status.artifact.revision`, the host's ETag/commit, or `working-copy`. */
  revision: string;
  /**
   * The source's own address, for a Flux source whose object says it: a GitRepository's or
   * OCIRepository's `spec.url` (credentials removed), a Bucket's endpoint and bucket, the
   * artifact URL of an ExternalArtifact. What links an entity to where its file lives.
   */
  url?: string;
}

/**
 * One revision of the GitOps tree: read it through `source` while the snapshot is current.
 *
 * @public
 */
export interface TreeSnapshot {
  source: TreeSource;
  origin: TreeOrigin;
  /**
   * How this snapshot differs from the one it replaced, when the provider knows: readers of the
   * previous snapshot take over everything else (`YamlDocumentCache.next`).
   */
  changes?: TreeChanges;
}

/**
 * The files that differ between two snapshots of one tree.
 *
 * @public
 */
export interface TreeChanges {
  /** The source of the snapshot replaced. */
  since: TreeSource;
  /** Repository-relative paths of files added, removed or modified. */
  paths: ReadonlySet<string>;
}

/**
 * A GitOps tree that changes over time: a folder, a Git host branch, or what Flux applies. The
 * catalog module and the desired views read the current snapshot, and re-read when told a new
 * revision is in place.
 *
 * @public
 */
export interface GitopsTreeProvider {
  /** Human-readable, for logs and errors. */
  readonly description: string;
  /** The current snapshot; the first call fetches it. Rejects with a message naming the source. */
  current(): Promise<TreeSnapshot>;
  /**
   * Calls `listener` after a new revision replaced the current snapshot (never for an unchanged
   * revision). Returns the function that unsubscribes.
   */
  subscribe(listener: (snapshot: TreeSnapshot) => void): () => void;
  /**
   * The current snapshot of every source the tree's Flux Kustomizations use, keyed
   * `Kind/namespace/name` (the root's own source among them), so a reader follows a Kustomization
   * into another source (a tenant's repository, an OCIRepository) at the revision Flux applies.
   * A new revision of any of them also calls the `subscribe` listeners. A provider of one tree (a
   * folder, a Git host branch) leaves it out: only that tree is read, and a Kustomization of
   * another source is reported as not readable. Read it through {@link currentSnapshots}.
   */
  sources?(): Map<string, TreeSnapshot>;
}
