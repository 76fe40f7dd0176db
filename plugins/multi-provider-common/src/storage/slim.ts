import {
  DEFAULT_CLASS_ANNOTATION,
  KubeEvent,
  KubePV,
  KubePVC,
  KubeStorageClass,
} from './findings';

/**
 * A topology requirement flattened to key and allowed values.
 *
 * @public
 */
export interface TopologyRequirement {
  key: string;
  values: string[];
}

/**
 * Labels or annotations of a slim object.
 *
 * @public
 */
export type Labels = Record<string, string>;
/**
 * A volume's or a node affinity's required node selector terms, as the storage rules read them.
 *
 * @public
 */
export type NodeSelectorTerms = Array<{
  matchExpressions?: Array<{
    key?: string;
    operator?: string;
    values?: string[];
  }>;
}>;

/**
 * The parts of a PersistentVolumeClaim manifest {@link slimPVC} reads.
 *
 * @public
 */
export interface KubePVCManifest {
  metadata?: { name?: string; namespace?: string; labels?: Labels };
  spec?: {
    storageClassName?: string | null;
    volumeName?: string;
    accessModes?: string[];
    resources?: { requests?: Record<string, string> };
  };
  status?: { phase?: string; capacity?: Record<string, string> };
}

/**
 * The parts of a PersistentVolume manifest {@link slimPV} reads.
 *
 * @public
 */
export interface KubePVManifest {
  metadata?: { name?: string };
  spec?: {
    storageClassName?: string;
    csi?: { driver?: string };
    claimRef?: { name?: string; namespace?: string };
    capacity?: Record<string, string>;
    accessModes?: string[];
    persistentVolumeReclaimPolicy?: string;
    nodeAffinity?: { required?: { nodeSelectorTerms?: NodeSelectorTerms } };
  };
  status?: { phase?: string };
}

/**
 * The parts of a StorageClass manifest {@link slimStorageClass} reads.
 *
 * @public
 */
export interface KubeStorageClassManifest {
  metadata?: { name?: string; annotations?: Labels; labels?: Labels };
  provisioner?: string;
  reclaimPolicy?: string;
  volumeBindingMode?: string;
  allowVolumeExpansion?: boolean;
  allowedTopologies?: Array<{
    matchLabelExpressions?: Array<{ key?: string; values?: string[] }>;
  }>;
}

/**
 * The parts of a CSIDriver manifest {@link slimCSIDriver} reads.
 *
 * @public
 */
export interface KubeCSIDriverManifest {
  metadata?: { name?: string };
  spec?: {
    attachRequired?: boolean;
    storageCapacity?: boolean;
    volumeLifecycleModes?: string[];
  };
}

/**
 * The parts of a CSINode manifest {@link slimCSINode} reads.
 *
 * @public
 */
export interface KubeCSINodeManifest {
  metadata?: { name?: string };
  spec?: {
    drivers?: Array<{
      name?: string;
      nodeID?: string;
      topologyKeys?: string[] | null;
      allocatable?: { count?: number };
    }>;
  };
}

/**
 * The parts of a core/v1 Event manifest {@link slimEvent} reads.
 *
 * @public
 */
export interface KubeEventManifest {
  metadata?: { name?: string; namespace?: string; creationTimestamp?: unknown };
  involvedObject?: { kind?: string; name?: string; namespace?: string };
  reason?: string;
  message?: string;
  type?: string;
  count?: number;
  lastTimestamp?: unknown;
  eventTime?: unknown;
  series?: { lastObservedTime?: unknown };
}

/**
 * A claim as the cache keeps it: what the findings and the claim table read.
 *
 * @public
 */
export interface SlimPVC extends KubePVC {
  metadata: { name: string; namespace: string; labels?: Labels };
  spec: {
    storageClassName?: string | null;
    volumeName?: string;
    accessModes?: string[];
    resources?: { requests?: { storage: string } };
  };
  status: { phase: string; capacity?: string };
}

/**
 * A volume as the cache keeps it, with its CSI topology flattened.
 *
 * @public
 */
export interface SlimPV extends KubePV {
  metadata: { name: string };
  spec: {
    storageClassName?: string;
    csi?: { driver: string };
    claimRef?: { name?: string; namespace?: string };
    capacity?: string;
    accessModes?: string[];
    reclaimPolicy?: string;
  };
  status: { phase: string };
  /** Required node affinity of the volume (first term), e.g. the zone it lives in. */
  topology?: TopologyRequirement[];
}

/**
 * A StorageClass as the cache keeps it.
 *
 * @public
 */
export interface SlimStorageClass extends KubeStorageClass {
  metadata: { name: string; annotations?: Labels; labels?: Labels };
  provisioner: string;
  reclaimPolicy: string;
  volumeBindingMode: string;
  allowVolumeExpansion: boolean;
  allowedTopologies?: TopologyRequirement[];
}

/**
 * A CSIDriver as the cache keeps it.
 *
 * @public
 */
export interface SlimCSIDriver {
  name: string;
  attachRequired: boolean;
  storageCapacity: boolean;
  lifecycleModes: string[];
}

/**
 * A CSINode (one per node): which CSI node plugins registered on it.
 *
 * @public
 */
export interface SlimCSINode {
  name: string;
  drivers: Array<{
    name: string;
    topologyKeys?: string[];
    allocatable?: number;
  }>;
}

/**
 * An event about a claim or a pod's volumes, trimmed.
 *
 * @public
 */
export interface SlimEvent extends KubeEvent {
  involvedObject: { kind: string; name: string; namespace?: string };
  reason: string;
  message: string;
  type?: string;
  lastTimestamp: string;
  count?: number;
}

const time = (v: unknown): string | undefined => {
  if (v instanceof Date) return v.toISOString();
  return typeof v === 'string' && v ? v : undefined;
};

/**
 * Trims a PVC manifest to a {@link SlimPVC}.
 *
 * @public
 */
export function slimPVC(pvc: KubePVCManifest): SlimPVC {
  const spec: SlimPVC['spec'] = {};
  const s = pvc.spec ?? {};
  if (s.storageClassName !== undefined && s.storageClassName !== null) {
    spec.storageClassName = s.storageClassName;
  }
  if (s.volumeName) spec.volumeName = s.volumeName;
  if (s.accessModes?.length) spec.accessModes = s.accessModes;
  const storage = s.resources?.requests?.storage;
  if (storage !== undefined) {
    spec.resources = { requests: { storage: String(storage) } };
  }
  const slim: SlimPVC = {
    metadata: {
      name: pvc.metadata?.name ?? '',
      namespace: pvc.metadata?.namespace ?? 'default',
    },
    spec,
    status: { phase: pvc.status?.phase ?? 'Pending' },
  };
  const labels = pvc.metadata?.labels;
  if (labels && Object.keys(labels).length > 0) slim.metadata.labels = labels;
  const capacity = pvc.status?.capacity?.storage;
  if (capacity !== undefined) slim.status.capacity = String(capacity);
  return slim;
}

function flattenTerms(terms: NodeSelectorTerms | undefined) {
  const first = terms?.[0]?.matchExpressions ?? [];
  const out = first
    .filter(e => e.key && (e.operator ?? 'In') === 'In')
    .map(e => ({ key: e.key as string, values: e.values ?? [] }));
  return out.length > 0 ? out : undefined;
}

/**
 * Trims a PV manifest to a {@link SlimPV}.
 *
 * @public
 */
export function slimPV(pv: KubePVManifest): SlimPV {
  const s = pv.spec ?? {};
  const spec: SlimPV['spec'] = {};
  if (s.storageClassName) spec.storageClassName = s.storageClassName;
  if (s.csi?.driver) spec.csi = { driver: s.csi.driver };
  if (s.claimRef?.name) {
    spec.claimRef = { name: s.claimRef.name, namespace: s.claimRef.namespace };
  }
  if (s.capacity?.storage !== undefined) {
    spec.capacity = String(s.capacity.storage);
  }
  if (s.accessModes?.length) spec.accessModes = s.accessModes;
  if (s.persistentVolumeReclaimPolicy) {
    spec.reclaimPolicy = s.persistentVolumeReclaimPolicy;
  }
  const slim: SlimPV = {
    metadata: { name: pv.metadata?.name ?? '' },
    spec,
    status: { phase: pv.status?.phase ?? 'Pending' },
  };
  const topology = flattenTerms(s.nodeAffinity?.required?.nodeSelectorTerms);
  if (topology) slim.topology = topology;
  return slim;
}

/**
 * Trims a StorageClass manifest to a {@link SlimStorageClass}.
 *
 * @public
 */
export function slimStorageClass(
  sc: KubeStorageClassManifest,
): SlimStorageClass {
  const slim: SlimStorageClass = {
    metadata: { name: sc.metadata?.name ?? '' },
    provisioner: sc.provisioner ?? '',
    reclaimPolicy: sc.reclaimPolicy ?? 'Delete',
    volumeBindingMode: sc.volumeBindingMode ?? 'Immediate',
    allowVolumeExpansion: sc.allowVolumeExpansion === true,
  };
  const isDefault = sc.metadata?.annotations?.[DEFAULT_CLASS_ANNOTATION];
  if (isDefault !== undefined) {
    slim.metadata.annotations = { [DEFAULT_CLASS_ANNOTATION]: isDefault };
  }
  const labels = sc.metadata?.labels;
  if (labels && Object.keys(labels).length > 0) slim.metadata.labels = labels;
  const topologies = (sc.allowedTopologies ?? []).flatMap(t =>
    (t.matchLabelExpressions ?? [])
      .filter(e => e.key)
      .map(e => ({ key: e.key as string, values: e.values ?? [] })),
  );
  if (topologies.length > 0) slim.allowedTopologies = topologies;
  return slim;
}

/**
 * Trims a CSIDriver manifest.
 *
 * @public
 */
export function slimCSIDriver(d: KubeCSIDriverManifest): SlimCSIDriver {
  return {
    name: d.metadata?.name ?? '',
    // The API defaults attachRequired to true.
    attachRequired: d.spec?.attachRequired !== false,
    storageCapacity: d.spec?.storageCapacity === true,
    lifecycleModes: d.spec?.volumeLifecycleModes ?? ['Persistent'],
  };
}

/**
 * Trims a CSINode manifest.
 *
 * @public
 */
export function slimCSINode(n: KubeCSINodeManifest): SlimCSINode {
  return {
    name: n.metadata?.name ?? '',
    drivers: (n.spec?.drivers ?? [])
      .filter(d => d.name)
      .map(d => {
        const out: SlimCSINode['drivers'][number] = { name: d.name as string };
        if (d.topologyKeys?.length) out.topologyKeys = d.topologyKeys;
        if (d.allocatable?.count !== undefined) {
          out.allocatable = d.allocatable.count;
        }
        return out;
      }),
  };
}

/**
 * Claim and pod event reasons the storage analyses read.
 *
 * @public
 */
export const STORAGE_EVENT_REASONS = new Set([
  'ProvisioningFailed',
  'FailedBinding',
  'WaitForFirstConsumer',
  'WaitForPodScheduled',
  'ExternalProvisioning',
  'VolumeResizeFailed',
  'FailedScheduling',
  'FailedAttachVolume',
  'FailedMount',
]);
const VOLUME_MESSAGE = /volume|PersistentVolumeClaim/i;

/**
 * Whether an event matters to the storage analyses: claim events with a storage reason, and pod
 * events (FailedScheduling, FailedMount…) whose message is about volumes. Everything else is
 * dropped before it reaches the cache.
 *
 * @public
 */
export function isStorageEvent(e: KubeEventManifest): boolean {
  const kind = e.involvedObject?.kind;
  if (!e.reason || !STORAGE_EVENT_REASONS.has(e.reason)) return false;
  if (kind === 'PersistentVolumeClaim') return true;
  return kind === 'Pod' && VOLUME_MESSAGE.test(e.message ?? '');
}

/**
 * Trims an Event manifest to a {@link SlimEvent}.
 *
 * @public
 */
export function slimEvent(e: KubeEventManifest): SlimEvent {
  const slim: SlimEvent = {
    involvedObject: {
      kind: e.involvedObject?.kind ?? '',
      name: e.involvedObject?.name ?? '',
    },
    reason: e.reason ?? '',
    message: (e.message ?? '').slice(0, 400),
    lastTimestamp:
      time(e.lastTimestamp) ??
      time(e.series?.lastObservedTime) ??
      time(e.eventTime) ??
      time(e.metadata?.creationTimestamp) ??
      '',
  };
  if (e.involvedObject?.namespace) {
    slim.involvedObject.namespace = e.involvedObject.namespace;
  }
  if (e.type) slim.type = e.type;
  if (e.count !== undefined) slim.count = e.count;
  return slim;
}
