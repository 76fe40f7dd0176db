import {
  ClusterPlacement,
  PlacementPod,
  PlacementProvider,
} from '../api/entityPlacement';
import { SlimNode, SlimPod } from '../kube/slim';
import { ProviderRegistry } from '../registry/createProviderRegistry';
import {
  IntentCheckOptions,
  checkPodIntent,
  checkTopologySpread,
  summariseIntent,
} from './intent';
import {
  NodeInfo,
  byName,
  describeNodes,
  providerDisplayName,
} from './nodeInfo';
import { workloadKey } from './services';

type PlacementNodeEntry =
  PlacementProvider['regions'][number]['zones'][number]['nodes'][number];

/**
 * Input of {@link buildClusterPlacement}.
 *
 * @public
 */
export interface ClusterPlacementInput extends IntentCheckOptions {
  /** The entity's pods in this cluster. */
  pods: SlimPod[];
  /** All nodes of the cluster (or at least those the pods run on). */
  nodes: Iterable<SlimNode> | Map<string, NodeInfo>;
  registry: ProviderRegistry;
}

/**
 * One pod with its intent check, as the API returns it.
 *
 * @public
 */
export function toPlacementPod(
  pod: SlimPod,
  info: NodeInfo | undefined,
  options: IntentCheckOptions = {},
): PlacementPod {
  const check = checkPodIntent(pod, info, options);
  const out: PlacementPod = {
    name: pod.name,
    namespace: pod.namespace,
    phase: pod.phase,
    intent: summariseIntent(pod.intent),
    intentMatches: check.status === 'matches',
    intentStatus: check.status,
    reasons: check.reasons,
  };
  if (pod.owner) out.owner = pod.owner;
  if (pod.nodeName) out.nodeName = pod.nodeName;
  if (pod.pendingReason) out.pendingReason = pod.pendingReason;
  if (pod.requests) out.requests = pod.requests;
  return out;
}

/**
 * Groups an entity's pods by provider → region → zone → node, checks intent against reality per
 * pod and flags workload-level risks (spread skew, every replica in one provider).
 *
 * @public
 */
export function buildClusterPlacement(
  input: ClusterPlacementInput,
): Omit<ClusterPlacement, 'cluster' | 'state'> {
  const { registry } = input;
  const nodes =
    input.nodes instanceof Map
      ? input.nodes
      : describeNodes(input.nodes, registry);
  const providers = new Map<string, PlacementProvider>();
  // The node entries by name: a large entity has thousands of pods on hundreds of nodes, so the
  // region / zone / node lookups must not be linear scans.
  const nodeEntries = new Map<string, PlacementNodeEntry>();
  const unscheduled: PlacementPod[] = [];
  for (const pod of input.pods) {
    const info = pod.nodeName ? nodes.get(pod.nodeName) : undefined;
    const placed = toPlacementPod(pod, info, input);
    if (!pod.nodeName) {
      unscheduled.push(placed);
      continue;
    }
    const known = nodeEntries.get(pod.nodeName);
    if (known) {
      known.pods.push(placed);
      continue;
    }
    const providerName = info?.provider ?? 'unknown';
    let provider = providers.get(providerName);
    if (!provider) {
      provider = {
        name: providerName,
        displayName: providerDisplayName(registry, providerName),
        known: info?.providerKnown ?? false,
        regions: [],
      };
      providers.set(providerName, provider);
    }
    const regionName = info?.region ?? 'unknown';
    let region = provider.regions.find(r => r.name === regionName);
    if (!region) {
      region = { name: regionName, eu: info?.eu ?? null, zones: [] };
      provider.regions.push(region);
    }
    const zoneName = info?.zone ?? 'unknown';
    let zone = region.zones.find(z => z.name === zoneName);
    if (!zone) {
      zone = { name: zoneName, nodes: [] };
      region.zones.push(zone);
    }
    const node = {
      name: pod.nodeName,
      ready: info?.node.ready ?? false,
      pods: [placed],
    };
    zone.nodes.push(node);
    nodeEntries.set(pod.nodeName, node);
  }

  const warnings: string[] = [];
  const byWorkload = new Map<string, SlimPod[]>();
  for (const pod of input.pods) {
    const key = workloadKey(pod);
    const list = byWorkload.get(key);
    if (list) list.push(pod);
    else byWorkload.set(key, [pod]);
  }
  for (const [key, pods] of byWorkload) {
    warnings.push(...checkTopologySpread(key, pods, nodes));
    const scheduled = pods.filter(p => p.nodeName);
    const provs = new Set(scheduled.map(p => nodes.get(p.nodeName!)?.provider));
    if (scheduled.length > 1 && provs.size === 1) {
      warnings.push(
        `${key}: all ${scheduled.length} replicas run on provider ${
          [...provs][0]
        }`,
      );
    }
  }

  const sorted = [...providers.values()].sort(byName);
  for (const p of sorted) {
    p.regions.sort(byName);
    for (const r of p.regions) {
      r.zones.sort(byName);
      for (const z of r.zones) z.nodes.sort(byName);
    }
  }
  return {
    providers: sorted,
    unscheduled,
    podCount: input.pods.length,
    warnings,
  };
}
