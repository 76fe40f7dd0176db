import { Usage } from '../api/common';
import {
  PlatformCluster,
  PlatformNode,
  PlatformProvider,
} from '../api/platformPlacement';
import { untoleratedTaints } from '../kube/matching';
import { SlimNode, SlimPod, isActivePod } from '../kube/slim';
import { ProviderRegistry } from '../registry/createProviderRegistry';
import {
  NodeInfo,
  byName,
  describeNodes,
  providerDisplayName,
} from './nodeInfo';

function emptyUsage(): Usage {
  return {
    capacity: { cpuMillis: 0, memoryBytes: 0 },
    allocatable: { cpuMillis: 0, memoryBytes: 0 },
    requested: { cpuMillis: 0, memoryBytes: 0 },
    podCount: 0,
    podCapacity: 0,
  };
}

function addUsage(into: Usage, from: Usage) {
  into.capacity.cpuMillis += from.capacity.cpuMillis;
  into.capacity.memoryBytes += from.capacity.memoryBytes;
  into.allocatable.cpuMillis += from.allocatable.cpuMillis;
  into.allocatable.memoryBytes += from.allocatable.memoryBytes;
  into.requested.cpuMillis += from.requested.cpuMillis;
  into.requested.memoryBytes += from.requested.memoryBytes;
  into.podCount += from.podCount;
  into.podCapacity += from.podCapacity;
}

/**
 * Sum of requests and count of active pods per node name.
 *
 * @public
 */
export function requestsPerNode(
  pods: Iterable<SlimPod>,
): Map<string, { cpuMillis: number; memoryBytes: number; pods: number }> {
  const out = new Map<
    string,
    { cpuMillis: number; memoryBytes: number; pods: number }
  >();
  for (const pod of pods) {
    if (!pod.nodeName || !isActivePod(pod)) continue;
    const sum = out.get(pod.nodeName) ?? {
      cpuMillis: 0,
      memoryBytes: 0,
      pods: 0,
    };
    sum.cpuMillis += pod.requests?.cpuMillis ?? 0;
    sum.memoryBytes += pod.requests?.memoryBytes ?? 0;
    sum.pods += 1;
    out.set(pod.nodeName, sum);
  }
  return out;
}

/**
 * The platform map of one cluster: providers → regions → zones → nodes, each with capacity,
 * allocatable, requested (sum of active pods' requests) and pod counts; non-EU nodes flagged.
 *
 * @public
 */
export function buildPlatformPlacement(
  nodes: Iterable<SlimNode> | Map<string, NodeInfo>,
  pods: Iterable<SlimPod>,
  registry: ProviderRegistry,
): Omit<PlatformCluster, 'cluster' | 'state'> {
  const infos = nodes instanceof Map ? nodes : describeNodes(nodes, registry);
  const requested = requestsPerNode(pods);
  const providers = new Map<string, PlatformProvider>();
  const nonEuNodes: string[] = [];
  for (const info of infos.values()) {
    const { node } = info;
    const req = requested.get(node.name);
    const platformNode: PlatformNode = {
      name: node.name,
      capacity: {
        cpuMillis: node.capacity.cpuMillis,
        memoryBytes: node.capacity.memoryBytes,
      },
      allocatable: {
        cpuMillis: node.allocatable.cpuMillis,
        memoryBytes: node.allocatable.memoryBytes,
      },
      requested: {
        cpuMillis: req?.cpuMillis ?? 0,
        memoryBytes: req?.memoryBytes ?? 0,
      },
      podCount: req?.pods ?? 0,
      podCapacity: node.allocatable.pods,
      ready: node.ready,
      unschedulable: !!node.unschedulable,
      taints: untoleratedTaints([], { taints: node.taints }),
      eu: info.eu,
      nonEu: info.eu === false,
    };
    if (platformNode.nonEu) nonEuNodes.push(node.name);
    let provider = providers.get(info.provider);
    if (!provider) {
      provider = {
        ...emptyUsage(),
        name: info.provider,
        displayName: providerDisplayName(registry, info.provider),
        known: info.providerKnown,
        regions: [],
      };
      providers.set(info.provider, provider);
    }
    let region = provider.regions.find(r => r.name === info.region);
    if (!region) {
      region = {
        ...emptyUsage(),
        name: info.region,
        eu: info.eu,
        nonEu: info.eu === false,
        zones: [],
      };
      provider.regions.push(region);
    }
    let zone = region.zones.find(z => z.name === info.zone);
    if (!zone) {
      zone = { ...emptyUsage(), name: info.zone, nodes: [] };
      region.zones.push(zone);
    }
    zone.nodes.push(platformNode);
    addUsage(zone, platformNode);
    addUsage(region, platformNode);
    addUsage(provider, platformNode);
  }
  const sorted = [...providers.values()].sort(byName);
  for (const p of sorted) {
    p.regions.sort(byName);
    for (const r of p.regions) {
      r.zones.sort(byName);
      for (const z of r.zones) z.nodes.sort(byName);
    }
  }
  return { providers: sorted, nonEuNodes: nonEuNodes.sort() };
}
