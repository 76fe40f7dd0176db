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
  namespace?: string;
  selector: string;
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
  /** `spec.path`, repository-relative without `./`. */
  path: string;
  dependsOn: Array<{ namespace: string; name: string }>;
  suspended: boolean;
  /** `spec.targetNamespace`: the namespace Flux sets on every namespaced object it applies. */
  targetNamespace?: string;
  /** `spec.postBuild.substitute`. */
  substitute: Record<string, string>;
  /** ConfigMap names of `spec.postBuild.substituteFrom` (Secrets are never read). */
  substituteFrom: string[];
  helmReleases: HelmReleaseInfo[];
  sources: SourceInfo[];
  storageClasses: StorageClassInfo[];
  workloads: WorkloadInfo[];
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
