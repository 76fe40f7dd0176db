/**
 * The Flux objects the source provider watches, and what it reads from them. Only the fields read
 * here are typed: of a source's spec only its address, never its credentials' Secret names.
 */
import { KubeCondition } from '@cloudlab/plugin-multi-provider-common';

/**
 * Where a Flux kind is served, as the API server names it.
 *
 * @public
 */
export interface FluxKindRef {
  kind: string;
  group: string;
  version: string;
  plural: string;
}

/** The Kustomization API the provider follows. */
export const KUSTOMIZATION_KIND: FluxKindRef = {
  kind: 'Kustomization',
  group: 'kustomize.toolkit.fluxcd.io',
  version: 'v1',
  plural: 'kustomizations',
};

/**
 * The source kinds a Kustomization's `sourceRef` may name. All are served by source-controller
 * (ExternalArtifact objects are written by other controllers, such as source-watcher's
 * ArtifactGenerator, and served from the same storage).
 */
export const FLUX_SOURCE_KINDS: readonly FluxKindRef[] = (
  [
    ['GitRepository', 'gitrepositories'],
    ['OCIRepository', 'ocirepositories'],
    ['Bucket', 'buckets'],
    ['ExternalArtifact', 'externalartifacts'],
  ] as const
).map(([kind, plural]) => ({
  kind,
  group: 'source.toolkit.fluxcd.io',
  version: 'v1',
  plural,
}));

/** The API path listing or watching a kind in every namespace. */
export const kindPath = (k: FluxKindRef) =>
  `/apis/${k.group}/${k.version}/${k.plural}`;

/**
 * A watched object, as far as the provider reads it.
 *
 * @public
 */
export interface FluxObject {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; resourceVersion?: string };
  spec?: {
    sourceRef?: { kind?: string; name?: string; namespace?: string };
    suspend?: boolean;
    /** GitRepository, OCIRepository: where the source is fetched from. */
    url?: string;
    /** Bucket: its endpoint, bucket and whether it is plain HTTP. */
    endpoint?: string;
    bucketName?: string;
    insecure?: boolean;
  };
  status?: {
    artifact?: { url?: string; revision?: string; digest?: string };
    conditions?: KubeCondition[];
  };
}

/**
 * What the provider keeps of a watched object: the fields it reads, nothing of a source's spec.
 * Status heartbeats that change none of them are then no change at all.
 */
export function slimFluxSourceObject(o: FluxObject): FluxObject {
  const { name, namespace } = o.metadata ?? {};
  const sourceRef = o.spec?.sourceRef;
  const artifact = o.status?.artifact;
  const conditions = o.status?.conditions?.map(
    ({ type, status, reason, message }) => ({ type, status, reason, message }),
  );
  return {
    kind: o.kind,
    metadata: { name, namespace },
    spec: {
      ...(sourceRef
        ? {
            sourceRef: {
              kind: sourceRef.kind,
              name: sourceRef.name,
              namespace: sourceRef.namespace,
            },
          }
        : {}),
      ...(o.spec?.suspend !== undefined ? { suspend: o.spec.suspend } : {}),
      // What `sourceAddress` needs to say where an entity's files come from.
      ...(o.spec?.url ? { url: o.spec.url } : {}),
      ...(o.spec?.endpoint ? { endpoint: o.spec.endpoint } : {}),
      ...(o.spec?.bucketName ? { bucketName: o.spec.bucketName } : {}),
      ...(o.spec?.insecure !== undefined ? { insecure: o.spec.insecure } : {}),
    },
    status: {
      ...(artifact
        ? {
            artifact: {
              url: artifact.url,
              revision: artifact.revision,
              digest: artifact.digest,
            },
          }
        : {}),
      ...(conditions ? { conditions } : {}),
    },
  };
}

/** `Kind/namespace/name`: how a source is keyed and shown (`GitRepository/flux-system/flux-system`). */
export const sourceKey = (kind: string, namespace: string, name: string) =>
  `${kind}/${namespace}/${name}`;

/**
 * The source a Kustomization reads: its `sourceRef`, whose namespace defaults to the
 * Kustomization's own (as kustomize-controller resolves it).
 */
export function sourceOf(
  kustomization: FluxObject,
): { kind: string; namespace: string; name: string } | undefined {
  const ref = kustomization.spec?.sourceRef;
  const namespace = ref?.namespace ?? kustomization.metadata?.namespace;
  if (!ref?.kind || !ref.name || !namespace) return undefined;
  return { kind: ref.kind, namespace, name: ref.name };
}

/** The Ready condition, when the object has one. */
export function readyCondition(o: FluxObject) {
  return o.status?.conditions?.find(c => c.type === 'Ready');
}

/**
 * The artifact URL the portal fetches: `status.artifact.url` with its scheme, host and port
 * replaced by `artifactBaseUrl` when one is configured (in the cluster the URL names
 * source-controller's Service; a portal elsewhere reaches the same storage at another address).
 * A path in `artifactBaseUrl` is kept as a prefix.
 */
export function artifactFetchUrl(
  artifactUrl: string,
  artifactBaseUrl?: string,
): string {
  const url = new URL(artifactUrl);
  if (!artifactBaseUrl) return url.toString();
  const base = new URL(artifactBaseUrl);
  const prefix = base.pathname.replace(/\/+$/, '');
  return `${base.origin}${prefix}${url.pathname}${url.search}`;
}

/**
 * Where a source object says its content lives, for the entities read from it to link there:
 * a GitRepository's or OCIRepository's `spec.url`, a Bucket's `spec.endpoint` and
 * `spec.bucketName`, an ExternalArtifact's `status.artifact.url` (it has no address of its own).
 * User information in a URL (a token someone wrote there) is removed.
 */
export function sourceAddress(
  /** The object's kind: a listed object need not carry it. */
  kind: string,
  o: FluxObject,
): string | undefined {
  const withoutCredentials = (u: string) => {
    try {
      const url = new URL(u);
      if (!url.username && !url.password) return u;
      // Only the user of an ssh remote (`ssh://git@host/…`) is not a credential.
      if (url.protocol === 'ssh:' && !url.password) return u;
      url.username = '';
      url.password = '';
      return url.toString();
    } catch {
      // `git@host:org/repo.git` and other non-URL remotes hold no password.
      return u;
    }
  };
  switch (kind) {
    case 'GitRepository':
    case 'OCIRepository':
      return o.spec?.url ? withoutCredentials(o.spec.url) : undefined;
    case 'Bucket':
      if (!o.spec?.endpoint || !o.spec.bucketName) return undefined;
      return `${o.spec.insecure ? 'http' : 'https'}://${o.spec.endpoint.replace(
        /^https?:\/\//,
        '',
      )}/${o.spec.bucketName}`;
    case 'ExternalArtifact':
      return o.status?.artifact?.url;
    default:
      return undefined;
  }
}
