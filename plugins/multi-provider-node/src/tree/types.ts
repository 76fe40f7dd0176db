/**
 * A Flux object's identity: cluster (directory under `gitops/clusters/`), namespace, name.
 *
 * @public
 */
export interface FluxObjectId {
  cluster: string;
  namespace: string;
  name: string;
}

/**
 * Flux kinds that reconcile a service or provide one of its sources.
 *
 * @public
 */
export type FluxKind =
  | 'Kustomization'
  | 'HelmRelease'
  | 'HelmRepository'
  | 'OCIRepository';

/**
 * A HelmRelease found in a Flux Kustomization's tree.
 *
 * @public
 */
export interface HelmReleaseInfo extends FluxObjectId {
  kind: 'HelmRelease';
  file: string;
  /** Namespace the chart's objects land in (`spec.targetNamespace`, else the release's). */
  targetNamespace: string;
  chart?: string;
  version?: string;
  sourceRef?: { kind: string; namespace: string; name: string };
  dependsOn: Array<{ namespace: string; name: string }>;
  /** Name of the Flux Kustomization that applies it. */
  kustomization: string;
  /**
   * The Helm release name, which the chart's `app.kubernetes.io/instance` label carries:
   * `spec.releaseName`, else `<targetNamespace>-<name>` when `spec.targetNamespace` is set, else the name.
   */
  releaseName: string;
  /** `spec.valuesFrom` entries (ConfigMaps and Secrets are named, values are not kept). */
  valuesFrom: SourceRef[];
}

/**
 * A reference to a Flux object by kind (a source's kind, `ConfigMap`, `Secret`…), namespace and name.
 *
 * @public
 */
export interface SourceRef {
  kind: string;
  namespace: string;
  name: string;
}

/**
 * A chart source (HelmRepository / OCIRepository) found in a Kustomization's tree.
 *
 * @public
 */
export interface SourceInfo extends FluxObjectId {
  kind: 'HelmRepository' | 'OCIRepository';
  file: string;
  url?: string;
  kustomization: string;
}

/**
 * A StorageClass found in a Kustomization's tree.
 *
 * @public
 */
export interface StorageClassInfo {
  cluster: string;
  name: string;
  file: string;
  provisioner?: string;
  providerLabel?: string;
  reclaimPolicy?: string;
  kustomization: string;
}

/**
 * A pod-owning workload (Deployment/StatefulSet/DaemonSet): where its pods are and how to select them.
 *
 * @public
 */
export interface WorkloadInfo {
  /** The name it lands with (after prefixes, suffixes and patches). */
  name?: string;
  namespace?: string;
  selector: string;
}

/**
 * An ArtifactGenerator's view a Kustomization was read in, and where its files come from.
 *
 * @public
 */
export interface GeneratedByInfo {
  /** The ArtifactGenerator, `namespace/name`. */
  generator: string;
  /** The ExternalArtifact's name. */
  artifact: string;
  /** View path → the tree (`TreeSource.description`) and path the file was copied from. */
  copiedFrom: Record<string, { sourceTree: string; path: string }>;
}

/**
 * A Flux Kustomization with what its tree applies.
 *
 * @public
 */
export interface KustomizationInfo extends FluxObjectId {
  kind: 'Kustomization';
  /** File defining it. */
  file: string;
  /** Layer: the defining file's base name (`infrastructure`, `apps`…) or its directory (`flux-system`). */
  layer: string;
  /** `spec.path`, relative to its source's root, without `./`. */
  path: string;
  /** `spec.sourceRef`, namespace defaulted to the Kustomization's. */
  sourceRef?: SourceRef;
  /** Where `path` was read: the tree's own description, or another source's (an ExternalArtifact view…). */
  sourceTree?: string;
  /**
   * When `path` was read in an ArtifactGenerator's view of the tree's sources (an ExternalArtifact
   * the cluster's own generator makes): the generator (`namespace/name`), the artifact, and for
   * every file the objects were read from, the tree (its `TreeSource.description`) and path it
   * was copied from, so what is read there is attributed to the file's real source.
   */
  generatedBy?: GeneratedByInfo;
  dependsOn: Array<{ namespace: string; name: string }>;
  suspended: boolean;
  /** `spec.targetNamespace`: the namespace Flux sets on every namespaced object it applies. */
  targetNamespace?: string;
  /** `spec.postBuild.substitute`. */
  substitute: Record<string, string>;
  /** ConfigMap names of `spec.postBuild.substituteFrom` (Secrets are never read). */
  substituteFrom: string[];
  /** `spec.namePrefix` / `spec.nameSuffix`: part of every name it applies. */
  namePrefix?: string;
  nameSuffix?: string;
  /**
   * The spec fields Flux's generator writes into the kustomization file of `path`
   * (`targetNamespace`, `namePrefix`, `nameSuffix`, `patches`, as the spec states them, empty
   * values included), so a renderer writes them there as the reader did; absent when it states none.
   */
  specWritten?: FluxSpecWritten;
  /** Secrets it names (`substituteFrom`, a HelmRelease's `valuesFrom`): not read, by design. */
  unread: SourceRef[];
  /**
   * What the reader could not follow for this Kustomization (`file: reason`); what it could follow
   * is still listed. Each is also one of the read's file errors.
   */
  errors: string[];
  helmReleases: HelmReleaseInfo[];
  sources: SourceInfo[];
  storageClasses: StorageClassInfo[];
  workloads: WorkloadInfo[];
}

/**
 * What a Flux Kustomization's spec writes into its path's kustomization file.
 *
 * @public
 */
export interface FluxSpecWritten {
  targetNamespace?: string;
  namePrefix?: string;
  nameSuffix?: string;
  patches?: unknown[];
}

/** @public */
export interface ClusterInfo {
  name: string;
  /** Repository-relative directory. */
  dir: string;
  kustomizations: KustomizationInfo[];
}

/**
 * What the reader found in a GitOps tree: its cluster trees.
 *
 * @public
 */
export interface FluxModel {
  clusters: ClusterInfo[];
}
