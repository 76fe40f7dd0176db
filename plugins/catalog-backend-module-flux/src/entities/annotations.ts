import {
  FLUX_APPLIED_BY_ANNOTATION,
  FLUX_CLAIM_ANNOTATIONS,
} from '@cloudlab/plugin-multi-provider-common';
import {
  ANNOTATION_LOCATION,
  ANNOTATION_ORIGIN_LOCATION,
  ANNOTATION_SOURCE_LOCATION,
  Entity,
} from '@backstage/catalog-model';
import {
  FluxKind,
  FluxObjectId,
  TreeOrigin,
} from '@cloudlab/plugin-multi-provider-node';

/**
 * Claim annotations: an entity carrying one says "I am the catalog entry of these Flux objects".
 * Values are comma-separated items `name`, `namespace/name` or `cluster/namespace/name`
 * (`cloudlab.dev/flux-kustomizations` is also what the scaffolder's catalog entries write).
 * Defined in the common package: the GitOps views read the same annotations.
 */
export const CLAIM_ANNOTATIONS: Record<FluxKind, string> =
  FLUX_CLAIM_ANNOTATIONS;

/** Informational annotations written on generated entities (never claims). */
export const ANNOTATIONS = {
  /** Flux Kustomizations that apply the entity's objects, `cluster/namespace/name`. */
  appliedBy: FLUX_APPLIED_BY_ANNOTATION,
  /** Clusters the entity is reconciled in. */
  clusters: 'cloudlab.dev/clusters',
  /** Repository-relative GitOps directory (as the scaffolder writes it). */
  gitopsPath: 'cloudlab.dev/gitops-path',
  /** The provider a Resource stands for or belongs to. */
  provider: 'cloudlab.dev/provider',
  /**
   * Where the entity was read: the Flux source (`GitRepository/flux-system/flux-system`), the
   * Git host URL, or the local folder.
   */
  gitopsSource: 'cloudlab.dev/gitops-source',
  /**
   * The source revision (`main@sha1:…`, the host's commit, `working-copy`) from which the entity
   * reads as it is: a later revision that leaves the entity unchanged does not re-emit it.
   */
  gitopsRevision: 'cloudlab.dev/gitops-revision',
  /**
   * The ArtifactGenerator view the entity was read through (`ArtifactGenerator ns/name,
   * ExternalArtifact name`); `gitops-source` then names the source the file was copied from.
   */
  gitopsGenerator: 'cloudlab.dev/gitops-generator',
  /** Marks entities emitted by this provider. */
  generatedBy: 'cloudlab.dev/generated-by',
  /** What the tree reader could not follow for the Flux objects behind the entity (`file: reason` lines). */
  readErrors: 'cloudlab.dev/flux-read-errors',
  /** Secrets the Flux objects name (substituteFrom, valuesFrom): named, never read. */
  unreadSecrets: 'cloudlab.dev/flux-unread-secrets',
  kubernetesId: 'backstage.io/kubernetes-id',
  kubernetesSelector: 'backstage.io/kubernetes-label-selector',
  kubernetesNamespace: 'backstage.io/kubernetes-namespace',
  techdocsRef: 'backstage.io/techdocs-ref',
  techdocsEntity: 'backstage.io/techdocs-entity',
} as const;

export const GENERATOR_NAME = 'catalog-backend-module-flux';

/** `cluster/namespace/name`, the exact form generated entities write. */
export const fluxObjectKey = (o: FluxObjectId) =>
  `${o.cluster}/${o.namespace}/${o.name}`;

/** Splits a claim annotation value into items. */
export function claimItems(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map(s => s.trim())
    .filter(Boolean);
}

/** Whether a claim item (`name`, `namespace/name`, `cluster/namespace/name`) names the object. */
export function claimMatches(item: string, o: FluxObjectId): boolean {
  const parts = item.split('/');
  if (parts.length === 1) return parts[0] === o.name;
  if (parts.length === 2)
    return parts[0] === o.namespace && parts[1] === o.name;
  if (parts.length === 3)
    return (
      parts[0] === o.cluster && parts[1] === o.namespace && parts[2] === o.name
    );
  return false;
}

/** The claims an entity makes, per Flux kind. */
export function claimsOf(
  annotations: Record<string, string> | undefined,
): Array<{
  kind: FluxKind;
  item: string;
}> {
  return (Object.keys(CLAIM_ANNOTATIONS) as FluxKind[]).flatMap(kind =>
    claimItems(annotations?.[CLAIM_ANNOTATIONS[kind]]).map(item => ({
      kind,
      item,
    })),
  );
}

/**
 * An emitted entity without the annotations naming its source and revision (its locations name
 * the commit too): what decides whether an entity changed, so a new revision re-emits only the
 * entities it changed. The provider locates every entity it emits, hand-written ones included;
 * a source location is the provider's only on generated entities (by hand it names the code).
 */
export function withoutOrigin(entity: Entity): Entity {
  const {
    [ANNOTATIONS.gitopsSource]: _source,
    [ANNOTATIONS.gitopsRevision]: _revision,
    [ANNOTATION_LOCATION]: _location,
    [ANNOTATION_ORIGIN_LOCATION]: _originLocation,
    ...annotations
  } = entity.metadata.annotations ?? {};
  if (annotations[ANNOTATIONS.generatedBy] === GENERATOR_NAME) {
    delete annotations[ANNOTATION_SOURCE_LOCATION];
  }
  return { ...entity, metadata: { ...entity.metadata, annotations } };
}

/** The entity with the annotations naming the tree source and revision it was read at. */
export function withOrigin(entity: Entity, origin: TreeOrigin): Entity {
  return {
    ...entity,
    metadata: {
      ...entity.metadata,
      annotations: {
        ...entity.metadata.annotations,
        [ANNOTATIONS.gitopsSource]: origin.location,
        [ANNOTATIONS.gitopsRevision]: origin.revision,
      },
    },
  };
}
