import type {
  CsiDriverRow,
  PlatformStorageCluster,
  StorageClaim,
  StorageClassRow,
  StorageZone,
} from '../api/storage';
import { bytes } from '../kube/quantity';
import { SlimNode, SlimPod } from '../kube/slim';
import { ProviderRegistry } from '../registry/createProviderRegistry';
import { locationOfNode, providerOfNode } from '../registry/providerOfNode';
import {
  DEFAULT_CLASS_ANNOTATION,
  providerOfDriver,
  StorageFinding,
  storageFindings,
} from './findings';
import {
  SlimCSIDriver,
  SlimCSINode,
  SlimEvent,
  SlimPV,
  SlimPVC,
  SlimStorageClass,
} from './slim';

/**
 * Everything one cluster's storage views read, as the cache holds it.
 *
 * @public
 */
export interface StorageSnapshot {
  registry: ProviderRegistry;
  pvcs: SlimPVC[];
  pvs: Map<string, SlimPV>;
  storageClasses: Map<string, SlimStorageClass>;
  csiDrivers: SlimCSIDriver[];
  csiNodes: SlimCSINode[];
  events: SlimEvent[];
  pods: SlimPod[];
  nodes: Map<string, SlimNode>;
}

const SEVERITY_ORDER = { error: 0, warning: 1, info: 2 } as const;

const cmp = (a: string, b: string) => {
  if (a === b) return 0;
  return a < b ? -1 : 1;
};
const objectsKey = (f: StorageFinding) =>
  f.objects
    .map(o => `${o.kind}\u0000${o.namespace ?? ''}\u0000${o.name}`)
    .join('\u0001');

/**
 * Most severe first, then by id, then by the objects involved (and the message): the order
 * every finding list is shown in, the same whatever order the findings were gathered in.
 *
 * @public
 */
export function sortFindings(findings: StorageFinding[]): StorageFinding[] {
  const keys = new Map<StorageFinding, string>();
  const key = (f: StorageFinding) => {
    let k = keys.get(f);
    if (k === undefined) keys.set(f, (k = objectsKey(f)));
    return k;
  };
  return findings.sort(
    (a, b) =>
      SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
      a.id.localeCompare(b.id) ||
      cmp(key(a), key(b)) ||
      cmp(a.message, b.message),
  );
}

/** Provider and topology (location/zone) of a claim's volume. */
function volumePlace(
  registry: ProviderRegistry,
  pv: SlimPV | undefined,
  sc: SlimStorageClass | undefined,
) {
  const provider =
    providerOfDriver(registry, pv?.spec.csi?.driver) ??
    providerOfDriver(registry, sc?.provisioner);
  const key = provider?.storage?.topologyKey;
  const req =
    pv?.topology?.find(t => t.key === key) ?? pv?.topology?.[0] ?? undefined;
  return {
    provider,
    topologyKey: req?.key,
    zone: req?.values.join(', ') || undefined,
  };
}

/** Findings that name one of the given objects (`Kind/namespace/name`). */
function findingsAbout(
  findings: StorageFinding[],
  keys: Set<string>,
): StorageFinding[] {
  return findings.filter(f =>
    f.objects.some(o => keys.has(`${o.kind}/${o.namespace ?? ''}/${o.name}`)),
  );
}

/**
 * The claim rows of a set of claims: class, provider and zone of the volume, size, access
 * modes, binding mode, phase and the pods mounting it with their nodes; plus the findings about
 * those claims and pods (class-wide findings such as default classes are left to the platform).
 *
 * @public
 */
export function buildClaimRows(
  snapshot: StorageSnapshot,
  claims: SlimPVC[],
  pods: SlimPod[],
): { claims: StorageClaim[]; findings: StorageFinding[] } {
  const { registry } = snapshot;
  const podsByClaim = new Map<string, SlimPod[]>();
  for (const pod of pods) {
    for (const c of pod.claims ?? []) {
      const key = `${pod.namespace}/${c}`;
      const list = podsByClaim.get(key);
      if (list) list.push(pod);
      else podsByClaim.set(key, [pod]);
    }
  }
  const keys = new Set<string>();
  for (const c of claims) {
    keys.add(
      `PersistentVolumeClaim/${c.metadata.namespace}/${c.metadata.name}`,
    );
  }
  for (const p of pods) keys.add(`Pod/${p.namespace}/${p.name}`);
  const involvedPvs = claims
    .map(c => (c.spec.volumeName ? snapshot.pvs.get(c.spec.volumeName) : null))
    .filter((pv): pv is SlimPV => !!pv);
  const related = new Set(
    claims.map(c => `${c.metadata.namespace}/${c.metadata.name}`),
  );
  const all = findingsAbout(
    storageFindings({
      registry,
      storageClasses: [...snapshot.storageClasses.values()],
      pvcs: claims,
      pvs: involvedPvs,
      pods,
      events: snapshot.events.filter(
        e =>
          related.has(
            `${e.involvedObject.namespace}/${e.involvedObject.name}`,
          ) ||
          (e.involvedObject.kind === 'Pod' &&
            keys.has(
              `Pod/${e.involvedObject.namespace}/${e.involvedObject.name}`,
            )),
      ),
    }),
    keys,
  );
  sortFindings(all);
  // Each claim's findings, looked up by object key: a scan of every finding per claim is
  // quadratic when thousands of claims are pending.
  const findingsByObject = new Map<string, StorageFinding[]>();
  for (const f of all) {
    for (const key of new Set(
      f.objects.map(o => `${o.kind}/${o.namespace ?? ''}/${o.name}`),
    )) {
      const list = findingsByObject.get(key);
      if (list) list.push(f);
      else findingsByObject.set(key, [f]);
    }
  }
  const rows = claims.map((c): StorageClaim => {
    const className = c.spec.storageClassName ?? null;
    const sc = className ? snapshot.storageClasses.get(className) : undefined;
    const pv = c.spec.volumeName
      ? snapshot.pvs.get(c.spec.volumeName)
      : undefined;
    const place = volumePlace(registry, pv, sc);
    const claimKey = `PersistentVolumeClaim/${c.metadata.namespace}/${c.metadata.name}`;
    const mounting = podsByClaim.get(
      `${c.metadata.namespace}/${c.metadata.name}`,
    );
    const row: StorageClaim = {
      namespace: c.metadata.namespace,
      name: c.metadata.name,
      phase: c.status.phase,
      storageClassName: className,
      requestedBytes: bytes(c.spec.resources?.requests?.storage),
      accessModes: c.spec.accessModes ?? [],
      pods: (mounting ?? []).map(p => {
        const node = p.nodeName ? snapshot.nodes.get(p.nodeName) : undefined;
        const out: StorageClaim['pods'][number] = {
          name: p.name,
          phase: p.phase,
        };
        if (p.nodeName) out.nodeName = p.nodeName;
        if (node) {
          const provider = providerOfNode(node, registry);
          if (provider) out.provider = provider;
          const zone = locationOfNode(node).zone;
          if (zone) out.zone = zone;
        }
        if (p.pendingReason) out.pendingReason = p.pendingReason;
        return out;
      }),
      findings: findingsByObject.get(claimKey) ?? [],
    };
    if (place.provider) {
      row.provider = place.provider.name;
      row.providerDisplayName = place.provider.displayName;
    }
    if (place.topologyKey) row.topologyKey = place.topologyKey;
    if (place.zone) row.zone = place.zone;
    if (c.spec.resources?.requests?.storage) {
      row.requested = c.spec.resources.requests.storage;
    }
    if (c.status.capacity) row.capacity = c.status.capacity;
    if (sc) {
      row.bindingMode = sc.volumeBindingMode;
      row.reclaimPolicy = sc.reclaimPolicy;
    }
    if (c.spec.volumeName) row.volumeName = c.spec.volumeName;
    if (pv?.spec.csi?.driver) row.csiDriver = pv.spec.csi.driver;
    return row;
  });
  return { claims: rows, findings: all };
}

/**
 * Default number of findings the platform answer lists.
 *
 * @public
 */
export const PLATFORM_FINDINGS_LIMIT = 200;

/**
 * The parts of a cluster's platform storage view each part builder reads.
 *
 * @public
 */
export type Reads<K extends keyof StorageSnapshot> = Pick<StorageSnapshot, K>;

/**
 * CSI drivers of the cluster and of the registry's providers, with the nodes running their node
 * plugins and the provider's nodes missing them. Reads CSIDrivers, CSINodes and nodes only.
 *
 * @public
 */
export function buildCsiDriverRows(
  snapshot: Reads<'registry' | 'csiDrivers' | 'csiNodes' | 'nodes'>,
): CsiDriverRow[] {
  const { registry } = snapshot;
  const csiByNode = new Map(snapshot.csiNodes.map(n => [n.name, n]));
  const nodeProvider = new Map<string, string | undefined>();
  for (const node of snapshot.nodes.values()) {
    nodeProvider.set(node.name, providerOfNode(node, registry));
  }
  const driverNames = new Set([
    ...snapshot.csiDrivers.map(d => d.name),
    ...registry.providers
      .map(p => p.storage?.csiDriver)
      .filter((d): d is string => !!d),
  ]);
  return [...driverNames].sort().map((name): CsiDriverRow => {
    const installed = snapshot.csiDrivers.find(d => d.name === name);
    const provider = providerOfDriver(registry, name);
    const nodes = snapshot.csiNodes
      .filter(n => n.drivers.some(d => d.name === name))
      .map(n => n.name)
      .sort();
    const missingOn = provider
      ? [...nodeProvider]
          .filter(
            ([node, p]) =>
              p === provider.name &&
              csiByNode.has(node) &&
              !csiByNode.get(node)!.drivers.some(d => d.name === name),
          )
          .map(([node]) => node)
          .sort()
      : [];
    const row: CsiDriverRow = {
      name,
      installed: !!installed,
      nodes,
      missingOn,
    };
    if (provider) {
      row.provider = provider.name;
      row.providerDisplayName = provider.displayName;
    }
    if (installed) row.attachRequired = installed.attachRequired;
    return row;
  });
}

/**
 * Claims, volumes and capacity per StorageClass and per provider zone, and the totals.
 *
 * @public
 */
export type StorageCounts = Pick<
  PlatformStorageCluster,
  'storageClasses' | 'zones' | 'totals'
>;

/**
 * Claims, volumes and capacity per StorageClass and per provider zone, and the totals, kept as
 * sums that volumes and claims are added to and taken from: a cache applies each change as the
 * old object taken away and the new one added, and reads the same answer a build from scratch
 * ({@link sumStorage}) gives. A claim counts in the zone of
 * the volume it names at the time, so a volume that changes takes its claims away first and
 * adds them back after (see the backend's `IncrementalStorageCounts`). The StorageClasses are fixed
 * at construction: a class change means a new accumulator.
 *
 * @public
 */
export class StorageCountsAccumulator {
  private readonly classRows = new Map<string, StorageClassRow>();
  private readonly zones = new Map<string, StorageZone>();
  /** Volume name → the key of the zone it counts in (volumes with a provider only). */
  private readonly zoneOfVolume = new Map<string, string>();
  private claims = 0;
  private pendingClaims = 0;
  private volumes = 0;

  constructor(
    private readonly registry: ProviderRegistry,
    private readonly storageClasses: ReadonlyMap<string, SlimStorageClass>,
  ) {
    for (const sc of storageClasses.values()) {
      const provider = providerOfDriver(registry, sc.provisioner);
      const row: StorageClassRow = {
        name: sc.metadata.name,
        provisioner: sc.provisioner,
        reclaimPolicy: sc.reclaimPolicy,
        bindingMode: sc.volumeBindingMode,
        allowVolumeExpansion: sc.allowVolumeExpansion,
        topology: (sc.allowedTopologies ?? []).map(
          t => `${t.key} in (${t.values.join(', ')})`,
        ),
        isDefault:
          sc.metadata.annotations?.[DEFAULT_CLASS_ANNOTATION] === 'true',
        claims: 0,
        requestedBytes: 0,
        volumes: 0,
        boundVolumes: 0,
        availableVolumes: 0,
        releasedVolumes: 0,
        capacityBytes: 0,
      };
      if (provider) {
        row.provider = provider.name;
        row.providerDisplayName = provider.displayName;
      }
      this.classRows.set(row.name, row);
    }
  }

  /** Adds (`sign` 1) or takes away (-1) one volume. */
  volume(pv: SlimPV, sign: 1 | -1): void {
    this.volumes += sign;
    const size = sign * bytes(pv.spec.capacity);
    const phase = pv.status.phase;
    const bound = phase === 'Bound';
    const cls = pv.spec.storageClassName
      ? this.classRows.get(pv.spec.storageClassName)
      : undefined;
    if (cls) {
      cls.volumes += sign;
      cls.capacityBytes += size;
      if (bound) cls.boundVolumes += sign;
      if (phase === 'Available') cls.availableVolumes += sign;
      if (phase === 'Released') cls.releasedVolumes += sign;
    }
    const place = volumePlace(
      this.registry,
      pv,
      pv.spec.storageClassName
        ? this.storageClasses.get(pv.spec.storageClassName)
        : undefined,
    );
    if (!place.provider) return;
    const zoneName = place.zone ?? '(none)';
    const key = `${place.provider.name}/${zoneName}`;
    let zone = this.zones.get(key);
    if (!zone) {
      zone = {
        provider: place.provider.name,
        providerDisplayName: place.provider.displayName,
        zone: zoneName,
        claims: 0,
        volumes: 0,
        boundVolumes: 0,
        capacityBytes: 0,
        boundBytes: 0,
      };
      this.zones.set(key, zone);
    }
    zone.volumes += sign;
    zone.capacityBytes += size;
    if (bound) {
      zone.boundVolumes += sign;
      zone.boundBytes += size;
    }
    if (sign > 0) this.zoneOfVolume.set(pv.metadata.name, key);
    else {
      this.zoneOfVolume.delete(pv.metadata.name);
      if (zone.volumes === 0) this.zones.delete(key);
    }
  }

  /** Adds (`sign` 1) or takes away (-1) one claim, in the zone of the volume it names. */
  claim(c: SlimPVC, sign: 1 | -1): void {
    this.claims += sign;
    if (c.status.phase === 'Pending') this.pendingClaims += sign;
    const cls = c.spec.storageClassName
      ? this.classRows.get(c.spec.storageClassName)
      : undefined;
    if (cls) {
      cls.claims += sign;
      cls.requestedBytes += sign * bytes(c.spec.resources?.requests?.storage);
    }
    const key = c.spec.volumeName
      ? this.zoneOfVolume.get(c.spec.volumeName)
      : undefined;
    if (key) this.zones.get(key)!.claims += sign;
  }

  /** The counts now: copies, sorted, that later changes leave alone. */
  counts(): StorageCounts {
    return {
      storageClasses: [...this.classRows.values()]
        .map(row => ({ ...row }))
        .sort((a, b) => a.name.localeCompare(b.name)),
      zones: [...this.zones.values()]
        .map(zone => ({ ...zone }))
        .sort(
          (a, b) =>
            a.provider.localeCompare(b.provider) ||
            a.zone.localeCompare(b.zone),
        ),
      totals: {
        claims: this.claims,
        pendingClaims: this.pendingClaims,
        volumes: this.volumes,
      },
    };
  }
}

/**
 * Sums of every volume and claim given: the counts from scratch, and the start of kept ones.
 *
 * @public
 */
export function sumStorage(
  registry: ProviderRegistry,
  storageClasses: ReadonlyMap<string, SlimStorageClass>,
  pvs: Iterable<SlimPV>,
  pvcs: Iterable<SlimPVC>,
): StorageCountsAccumulator {
  const sums = new StorageCountsAccumulator(registry, storageClasses);
  for (const pv of pvs) sums.volume(pv, 1);
  for (const c of pvcs) sums.claim(c, 1);
  return sums;
}

/**
 * The findings part of a cluster's platform storage view.
 *
 * @public
 */
export type PlatformFindings = Pick<
  PlatformStorageCluster,
  'findings' | 'findingsTotal' | 'findingCounts'
>;

/**
 * A cluster's findings as the platform view shows them: sorted (the list is sorted in place),
 * listed up to `findingsLimit`, counted in full and per rule.
 *
 * @public
 */
export function summarizeFindings(
  all: StorageFinding[],
  findingsLimit = PLATFORM_FINDINGS_LIMIT,
): PlatformFindings {
  const findings = sortFindings(all);
  const findingCounts: Record<string, number> = {};
  for (const f of findings)
    findingCounts[f.id] = (findingCounts[f.id] ?? 0) + 1;
  return {
    findings: findings.slice(0, findingsLimit),
    findingsTotal: findings.length,
    findingCounts,
  };
}
