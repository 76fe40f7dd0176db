import { z } from 'zod';
import { bytes } from '../kube/quantity';
import { SlimNode, SlimPod } from '../kube/slim';
import { pinnedProvider } from '../placement/pinnedProvider';
import { providerOfNode } from '../registry/providerOfNode';
import {
  findProvider,
  ProviderDefinition,
  ProviderRegistry,
} from '../registry/createProviderRegistry';
import { checkVolumeSize } from './volumeSize';

/**
 * Annotation marking the default StorageClass.
 *
 * @public
 */
export const DEFAULT_CLASS_ANNOTATION =
  'storageclass.kubernetes.io/is-default-class';
const GIB = 1024 ** 3;

/**
 * zod schema of one storage finding.
 *
 * @public
 */
export const storageFindingSchema = z.object({
  /** Rule id, e.g. `pvc-without-class`. */
  id: z.string(),
  severity: z.enum(['error', 'warning', 'info']),
  objects: z.array(
    z.object({
      kind: z.string(),
      namespace: z.string().optional(),
      name: z.string(),
    }),
  ),
  message: z.string(),
  /** What to change, in words. */
  fix: z.string(),
});
/**
 * One storage finding.
 *
 * @public
 */
export type StorageFinding = z.infer<typeof storageFindingSchema>;

/**
 * The parts of a StorageClass the findings read.
 *
 * @public
 */
export interface KubeStorageClass {
  metadata?: { name?: string; annotations?: Record<string, string> };
  provisioner?: string;
  reclaimPolicy?: string;
  volumeBindingMode?: string;
}
/**
 * The parts of a PersistentVolumeClaim the findings read.
 *
 * @public
 */
export interface KubePVC {
  metadata?: { name?: string; namespace?: string };
  spec?: {
    storageClassName?: string | null;
    volumeName?: string;
    resources?: { requests?: Record<string, string> };
  };
  status?: { phase?: string };
}
/**
 * The parts of a PersistentVolume the findings read.
 *
 * @public
 */
export interface KubePV {
  metadata?: { name?: string };
  spec?: {
    storageClassName?: string;
    csi?: { driver?: string };
    claimRef?: { name?: string; namespace?: string };
  };
  status?: { phase?: string };
}
/**
 * The parts of an Event the findings read.
 *
 * @public
 */
export interface KubeEvent {
  involvedObject?: { kind?: string; name?: string; namespace?: string };
  reason?: string;
  message?: string;
  lastTimestamp?: string;
}

/**
 * Whether event `e` supersedes `prev` as the latest about an object: the later `lastTimestamp`;
 * on a tie the greater reason, then message. The same event wins whatever order the events
 * are read in, so a finding kept per claim and one built from every event agree.
 *
 * @public
 */
export function supersedes(e: KubeEvent, prev: KubeEvent | undefined): boolean {
  if (!prev) return true;
  const a = e.lastTimestamp ?? '';
  const b = prev.lastTimestamp ?? '';
  if (a !== b) return a > b;
  const ra = e.reason ?? '';
  const rb = prev.reason ?? '';
  if (ra !== rb) return ra > rb;
  return (e.message ?? '') > (prev.message ?? '');
}

/**
 * Input of {@link storageFindings}.
 *
 * @public
 */
export interface StorageFindingsInput {
  registry: ProviderRegistry;
  storageClasses: KubeStorageClass[];
  pvcs: KubePVC[];
  /** Volumes as a list, or by name (as a cache holds them, not copied again). */
  pvs?: KubePV[] | ReadonlyMap<string, KubePV>;
  /** Pods with their claims and intent, to find provider conflicts. */
  pods?: SlimPod[];
  events?: KubeEvent[];
  /** Nodes and their CSINodes, to find nodes missing their provider's CSI node plugin. */
  nodes?: SlimNode[];
  csiNodes?: Array<{ name: string; drivers: Array<{ name: string }> }>;
}

/** What the findings look up per object, derived once per registry. */
interface RegistryLookups {
  byDriver: Map<string, ProviderDefinition>;
}
const LOOKUPS = new WeakMap<ProviderRegistry, RegistryLookups>();

function lookups(registry: ProviderRegistry): RegistryLookups {
  let out = LOOKUPS.get(registry);
  if (!out) {
    out = { byDriver: new Map() };
    for (const p of registry.providers) {
      const driver = p.storage?.csiDriver;
      if (driver && !out.byDriver.has(driver)) out.byDriver.set(driver, p);
    }
    LOOKUPS.set(registry, out);
  }
  return out;
}

/**
 * The provider whose CSI driver is `driver` (the first in registry order), if any.
 *
 * @public
 */
export function providerOfDriver(
  registry: ProviderRegistry,
  driver?: string,
): ProviderDefinition | undefined {
  return driver === undefined
    ? undefined
    : lookups(registry).byDriver.get(driver);
}

/** A pod the scheduler has not placed yet and that is not going away. */
function isUnscheduled(pod: SlimPod): boolean {
  return !pod.nodeName && pod.phase === 'Pending' && !pod.terminating;
}

/**
 * Whether {@link storageFindings} can read this pod: a pod with claims and a node selector or
 * required affinity (it may be pinned to another provider than its volume), or an unscheduled
 * one (the scheduler may be failing it for its volumes). A change of any other pod cannot
 * change the findings, so a cache may keep them across it.
 *
 * @public
 */
export function findingsReadPod(pod: SlimPod): boolean {
  return (
    (!!pod.claims?.length &&
      !!(pod.intent?.nodeSelector || pod.intent?.requiredTerms)) ||
    isUnscheduled(pod)
  );
}

function isMultiZone(p: ProviderDefinition): boolean {
  const level = p.storage?.topologyLevel ?? 'zone';
  const domains =
    level === 'region'
      ? p.regions.length
      : p.regions.flatMap(r => r.zones).length;
  return domains > 1;
}

/**
 * What judging one claim reads besides the claim, looked up once per call.
 *
 * @public
 */
export interface ClaimContext {
  registry: ProviderRegistry;
  classes: Map<string, KubeStorageClass>;
  /** The class names as the `unknown-class` fix lists them. */
  classNames: string;
  hasClasses: boolean;
}

/**
 * The {@link ClaimContext} of a cluster's classes.
 *
 * @public
 */
export function claimContext(
  registry: ProviderRegistry,
  storageClasses: Iterable<KubeStorageClass>,
): ClaimContext {
  const classes = new Map<string, KubeStorageClass>();
  for (const sc of storageClasses) classes.set(sc.metadata?.name ?? '', sc);
  return {
    registry,
    classes,
    classNames: [...classes.keys()].sort().join(', '),
    hasClasses: classes.size > 0,
  };
}

/**
 * Whether a pod can be pinned to a provider and has claims: the pods {@link claimFindings}
 * compares with their claims' volumes (which of them are pinned depends on the registry).
 *
 * @public
 */
export function mayPinClaims(pod: SlimPod): boolean {
  return (
    !!pod.claims?.length &&
    !!(pod.intent?.nodeSelector || pod.intent?.requiredTerms?.length)
  );
}

const pvcRef = (c: KubePVC) => ({
  kind: 'PersistentVolumeClaim',
  namespace: c.metadata?.namespace,
  name: c.metadata?.name ?? '',
});

/**
 * Adds the findings about one claim to `out`: class, size, pending reason, provider conflicts
 * with its pods. Reads only the claim, its volume, the pods that mount it (those not pinned to
 * a provider are skipped), its latest event (read when Pending) and `ctx`.
 *
 * @public
 */
export function claimFindings(
  out: StorageFinding[],
  claim: KubePVC,
  ctx: ClaimContext,
  pv: KubePV | undefined,
  pods: SlimPod[] | undefined,
  last: KubeEvent | undefined,
): void {
  const { registry, classes } = ctx;
  const className = claim.spec?.storageClassName;
  const sc = className ? classes.get(className) : undefined;
  const provider = providerOfDriver(registry, sc?.provisioner);
  if (className === undefined || className === null) {
    out.push({
      id: 'pvc-without-class',
      severity: 'error',
      objects: [pvcRef(claim)],
      message: `PVC ${claim.metadata?.namespace}/${claim.metadata?.name} names no storageClassName`,
      fix: 'Name the class of the provider the workload runs on (e.g. hcloud-volumes or scw-bssd)',
    });
  }
  if (className && !sc && ctx.hasClasses) {
    out.push({
      id: 'unknown-class',
      severity: 'error',
      objects: [pvcRef(claim)],
      message: `PVC ${claim.metadata?.namespace}/${claim.metadata?.name} names StorageClass ${className}, which does not exist; it stays Pending`,
      fix: `Use one of the classes of the cluster (${ctx.classNames})`,
    });
  }
  const requested = claim.spec?.resources?.requests?.storage;
  const verdict =
    provider?.storage && requested
      ? checkVolumeSize(requested, provider.storage)
      : 'ok';
  if (provider && requested && verdict === 'below-minimum') {
    const min = provider.storage?.minVolumeSize;
    out.push({
      id: 'size-below-minimum',
      severity: 'warning',
      objects: [pvcRef(claim)],
      message: `${requested} is below ${provider.displayName}'s minimum volume size ${min}; the volume will be ${min} and billed as such`,
      fix: `Request at least ${min}`,
    });
  } else if (provider && requested && verdict === 'not-whole-gib') {
    out.push({
      id: 'size-not-whole-gib',
      severity: 'warning',
      objects: [pvcRef(claim)],
      message: `${requested} is not a whole GiB; ${provider.displayName} rounds volumes up`,
      fix: `Request a whole number of Gi (e.g. ${Math.ceil(
        bytes(requested) / GIB,
      )}Gi)`,
    });
  }
  if (claim.status?.phase === 'Pending') {
    const waiting = last?.reason === 'WaitForFirstConsumer';
    out.push({
      id: 'pending-claim',
      severity: waiting ? 'info' : 'warning',
      objects: [pvcRef(claim)],
      message: last
        ? `Claim is Pending: ${last.reason}: ${last.message}`
        : 'Claim is Pending with no event explaining why',
      fix: waiting
        ? 'Nothing to do until a pod uses the claim'
        : 'Check the class exists, its provisioner runs, and the zone has capacity',
    });
  }
  // Volume on one provider, pod pinned to another.
  const volumeProvider =
    providerOfDriver(registry, pv?.spec?.csi?.driver) ?? provider;
  if (volumeProvider) {
    for (const pod of pods ?? []) {
      const pin = pinnedProvider(pod, registry);
      if (pin && pin !== volumeProvider.name) {
        out.push({
          id: 'claim-provider-conflict',
          severity: 'error',
          objects: [
            pvcRef(claim),
            { kind: 'Pod', namespace: pod.namespace, name: pod.name },
          ],
          message: `The volume is on ${volumeProvider.name} but pod ${pod.name} is pinned to ${pin}; it can never schedule`,
          fix: `Use a ${pin} StorageClass for the claim, or pin the workload to ${volumeProvider.name}`,
        });
      }
    }
  }
}

/**
 * Storage mistakes that bite a mixed cluster, each with severity, objects, message and fix:
 * claims without a class, default classes, claim/pod provider conflicts, sizes below the
 * provider minimum or not whole GiB, Immediate binding on multi-zone providers, Retain classes
 * with Released volumes, and pending claims with their last event.
 *
 * @public
 */
export function storageFindings(input: StorageFindingsInput): StorageFinding[] {
  const { registry } = input;
  const out: StorageFinding[] = [];
  const pvsByName = volumesByName(input.pvs);
  // Only a pod pinned to a provider can conflict with its claim's volume; most pods are not, and
  // joining 20,000 pods to their claims by key is most of the cost of a large cluster's findings.
  const podsByClaim = new Map<string, SlimPod[]>();
  for (const pod of input.pods ?? []) {
    if (!pod.claims || !pinnedProvider(pod, registry)) continue;
    for (const c of pod.claims) {
      const key = `${pod.namespace}/${c}`;
      const list = podsByClaim.get(key);
      if (list) list.push(pod);
      else podsByClaim.set(key, [pod]);
    }
  }
  const claimEvents = new Map<string, KubeEvent>();
  for (const e of input.events ?? []) {
    if (e.involvedObject?.kind !== 'PersistentVolumeClaim') continue;
    const key = `${e.involvedObject.namespace}/${e.involvedObject.name}`;
    if (supersedes(e, claimEvents.get(key))) claimEvents.set(key, e);
  }

  const ctx = claimContext(registry, input.storageClasses);
  for (const claim of input.pvcs) {
    const pending = claim.status?.phase === 'Pending';
    const key =
      pending || podsByClaim.size > 0
        ? `${claim.metadata?.namespace}/${claim.metadata?.name}`
        : '';
    const pv = claim.spec?.volumeName
      ? pvsByName.get(claim.spec.volumeName)
      : undefined;
    claimFindings(
      out,
      claim,
      ctx,
      pv,
      podsByClaim.get(key),
      pending ? claimEvents.get(key) : undefined,
    );
  }
  out.push(...clusterFindings(input));
  return out;
}

function volumesByName(
  pvs: StorageFindingsInput['pvs'] = [],
): ReadonlyMap<string, KubePV> {
  return Array.isArray(pvs)
    ? new Map(pvs.map(pv => [pv.metadata?.name ?? '', pv]))
    : (pvs as ReadonlyMap<string, KubePV>);
}

/**
 * The findings of {@link storageFindings} that are not about one claim: default classes,
 * Immediate binding on multi-zone providers, Retain classes with Released volumes, pods the
 * scheduler leaves Pending for their volumes, and nodes missing their CSI node plugin. Reads
 * no claim, so a cache that keeps each claim's findings rebuilds only these on other changes.
 *
 * @public
 */
export function clusterFindings(input: StorageFindingsInput): StorageFinding[] {
  const { registry } = input;
  const out: StorageFinding[] = [];
  const defaults = input.storageClasses.filter(
    sc => sc.metadata?.annotations?.[DEFAULT_CLASS_ANNOTATION] === 'true',
  );
  if (defaults.length > 0) {
    out.push({
      id: defaults.length > 1 ? 'multiple-default-classes' : 'default-class',
      severity: defaults.length > 1 ? 'error' : 'warning',
      objects: defaults.map(sc => ({
        kind: 'StorageClass',
        name: sc.metadata?.name ?? '',
      })),
      message:
        defaults.length > 1
          ? `${defaults.length} StorageClasses are marked default; a claim without a class lands on whichever the API server picks`
          : `StorageClass ${defaults[0].metadata?.name} is the default: a claim without a class silently lands on one provider`,
      fix: `Set ${DEFAULT_CLASS_ANNOTATION}: "false" (or remove it) and name the class in every PVC`,
    });
  }

  const releasedByClass = new Map<string, KubePV[]>();
  const pvs = input.pvs ?? [];
  for (const pv of Array.isArray(pvs) ? pvs : pvs.values()) {
    if (pv.status?.phase !== 'Released') continue;
    const key = pv.spec?.storageClassName ?? '';
    const list = releasedByClass.get(key);
    if (list) list.push(pv);
    else releasedByClass.set(key, [pv]);
  }
  for (const sc of input.storageClasses) {
    const provider = providerOfDriver(registry, sc.provisioner);
    const mode = sc.volumeBindingMode ?? 'Immediate';
    if (provider && mode === 'Immediate' && isMultiZone(provider)) {
      out.push({
        id: 'immediate-binding-multi-zone',
        severity: 'warning',
        objects: [{ kind: 'StorageClass', name: sc.metadata?.name ?? '' }],
        message: `Immediate binding on ${provider.displayName}, which has several ${provider.storage?.topologyLevel}s: the volume is created before the pod is placed and may end up elsewhere`,
        fix: 'Set volumeBindingMode: WaitForFirstConsumer',
      });
    }
    if (sc.reclaimPolicy === 'Retain') {
      const released = releasedByClass.get(sc.metadata?.name ?? '') ?? [];
      if (released.length > 0) {
        out.push({
          id: 'retain-released-volumes',
          severity: 'warning',
          objects: [
            { kind: 'StorageClass', name: sc.metadata?.name ?? '' },
            ...released.map(pv => ({
              kind: 'PersistentVolume',
              name: pv.metadata?.name ?? '',
            })),
          ],
          message: `${released.length} Released volume(s) of Retain class ${sc.metadata?.name} are kept (and billed) with no claim`,
          fix: 'Re-bind them (clear spec.claimRef) or delete the PV and the provider volume once the data is safe',
        });
      }
    }
  }
  out.push(...podVolumeFindings(input));
  out.push(...csiNodeFindings(input));
  return out;
}

/**
 * The scheduler's VolumeBinding plugin wording for a bound volume whose node affinity excludes
 * the node: "volume node affinity conflict" up to 1.3x, "didn't match PersistentVolume's node
 * affinity" in newer releases (the lab runs 1.36).
 */
const AFFINITY_CONFLICT =
  /volume node affinity conflict|didn't match PersistentVolume's node affinity/i;

/**
 * Pods the scheduler leaves Pending because of their volumes, read from its FailedScheduling
 * events: `volume-node-affinity-conflict` (the bound volume lives where the pod may not go) and
 * `pod-pending-volume` (unbound claims, no matching volume…). Only pods still unscheduled count.
 */
function podVolumeFindings(input: StorageFindingsInput): StorageFinding[] {
  const pending = new Map<string, SlimPod>();
  for (const pod of input.pods ?? []) {
    if (isUnscheduled(pod)) {
      pending.set(`${pod.namespace}/${pod.name}`, pod);
    }
  }
  if (pending.size === 0) return [];
  const latest = new Map<string, KubeEvent>();
  for (const e of input.events ?? []) {
    if (e.involvedObject?.kind !== 'Pod' || e.reason !== 'FailedScheduling') {
      continue;
    }
    const key = `${e.involvedObject.namespace}/${e.involvedObject.name}`;
    if (!pending.has(key)) continue;
    if (supersedes(e, latest.get(key))) latest.set(key, e);
  }
  const out: StorageFinding[] = [];
  for (const [key, event] of latest) {
    const pod = pending.get(key)!;
    const objects = [
      { kind: 'Pod', namespace: pod.namespace, name: pod.name },
      ...(pod.claims ?? []).map(c => ({
        kind: 'PersistentVolumeClaim',
        namespace: pod.namespace,
        name: c,
      })),
    ];
    if (AFFINITY_CONFLICT.test(event.message ?? '')) {
      out.push({
        id: 'volume-node-affinity-conflict',
        severity: 'error',
        objects,
        message: `The scheduler cannot place pod ${pod.name}: ${event.message}`,
        fix: "The volume lives in a zone/provider the pod may not run in: give the claim a class of the provider the pod is pinned to (recreate the claim), or relax the pod's nodeSelector/affinity to the volume's topology",
      });
    } else {
      out.push({
        id: 'pod-pending-volume',
        severity: 'warning',
        objects,
        message: `Pod ${pod.name} is Pending because of its volumes: ${event.message}`,
        fix: "Check each claim's class exists and has volumes (or a running provisioner) in a zone the pod may use",
      });
    }
  }
  return out;
}

/**
 * Nodes of a provider whose CSINode lacks that provider's CSI driver: its node plugin is not
 * running there, so volumes cannot be attached or mounted on the node. Nodes without a CSINode
 * object are not judged (the kubelet creates it once a plugin registers).
 */
function csiNodeFindings(input: StorageFindingsInput): StorageFinding[] {
  if (!input.nodes || !input.csiNodes) return [];
  const csi = new Map(input.csiNodes.map(n => [n.name, n]));
  const missing = new Map<string, string[]>();
  for (const node of input.nodes) {
    const provider = findProvider(
      input.registry,
      providerOfNode(node, input.registry),
    );
    const driver = provider?.storage?.csiDriver;
    const csiNode = csi.get(node.name);
    if (!driver || !csiNode) continue;
    if (csiNode.drivers.some(d => d.name === driver)) continue;
    const names = missing.get(driver);
    if (names) names.push(node.name);
    else missing.set(driver, [node.name]);
  }
  return [...missing].map(([driver, names]) => ({
    id: 'csi-node-plugin-missing',
    severity: 'warning' as const,
    objects: [
      { kind: 'CSIDriver', name: driver },
      ...names.map(name => ({ kind: 'Node', name })),
    ],
    message: `${names.length} node(s) of the provider of ${driver} do not run its CSI node plugin; pods with its volumes cannot start there`,
    fix: `Check the ${driver} node DaemonSet tolerates and selects these nodes`,
  }));
}
