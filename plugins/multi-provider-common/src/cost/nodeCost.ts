import {
  LocationCost,
  NodeCost,
  NodeSetCost,
  PodSetCost,
  WorkloadCost,
} from '../api/cost';
import { SlimPod, isActivePod } from '../kube/slim';
import { ProviderRegistry } from '../registry/createProviderRegistry';
import { NodeInfo } from '../placement/nodeInfo';
import { Service } from '../placement/services';
import { priceOfNode } from './nodePrice';
import { requestWeight, splitPrice } from './podShare';

/**
 * A pod's monthly cost: its share of its node, `null` when the node has no price. Pods that
 * are not on a node, or no longer hold their requests, are absent.
 *
 * @public
 */
export interface PodCost {
  pod: SlimPod;
  provider: string;
  monthly: number | null;
}

/**
 * Node costs and pod costs of one cluster, before grouping.
 *
 * @public
 */
export interface NodeAndPodCosts {
  nodes: NodeCost[];
  /** Keyed `namespace/name`. */
  pods: Map<string, PodCost>;
}

/**
 * `namespace/name` of a pod: how pod costs are keyed.
 *
 * @public
 */
export function podKey(pod: SlimPod): string {
  return `${pod.namespace}/${pod.name}`;
}

/**
 * Prices every node and splits each node's price among its active pods by
 * {@link POD_SHARE_RULE}.
 *
 * @public
 */
export function nodeAndPodCosts(
  nodes: ReadonlyMap<string, NodeInfo>,
  pods: Iterable<SlimPod>,
  registry: ProviderRegistry,
  currency: string | undefined,
): NodeAndPodCosts {
  const podsByNode = new Map<string, SlimPod[]>();
  for (const pod of pods) {
    if (!pod.nodeName || !isActivePod(pod)) continue;
    const list = podsByNode.get(pod.nodeName);
    if (list) list.push(pod);
    else podsByNode.set(pod.nodeName, [pod]);
  }
  const nodeCosts: NodeCost[] = [];
  const podCosts = new Map<string, PodCost>();
  for (const info of nodes.values()) {
    const onNode = podsByNode.get(info.node.name) ?? [];
    const price = currency
      ? priceOfNode(info, registry, currency)
      : { known: false as const, reason: 'no provider has a price table' };
    const row: NodeCost = {
      name: info.node.name,
      provider: info.provider,
      region: info.region,
      zone: info.zone,
      pods: onNode.length,
      nodes: 1,
      unknownNodes: price.known ? 0 : 1,
      monthly: 0,
      used: 0,
      idle: 0,
    };
    if (price.serverType) row.serverType = price.serverType;
    if (price.known) {
      const { shares, idle } = splitPrice(
        price.monthly,
        onNode.map(p => requestWeight(p.requests, info.node.allocatable)),
      );
      row.monthly = price.monthly;
      row.idle = idle;
      row.used = price.monthly - idle;
      onNode.forEach((pod, i) =>
        podCosts.set(podKey(pod), {
          pod,
          provider: info.provider,
          monthly: shares[i],
        }),
      );
    } else {
      row.unknownReason = price.reason;
      for (const pod of onNode) {
        podCosts.set(podKey(pod), {
          pod,
          provider: info.provider,
          monthly: null,
        });
      }
    }
    nodeCosts.push(row);
  }
  nodeCosts.sort((a, b) => a.name.localeCompare(b.name));
  return { nodes: nodeCosts, pods: podCosts };
}

/**
 * An empty node-set cost, to add into.
 *
 * @public
 */
export function emptyNodeSetCost(): NodeSetCost {
  return { nodes: 0, unknownNodes: 0, monthly: 0, used: 0, idle: 0 };
}

function addNodeSet(into: NodeSetCost, from: NodeSetCost): void {
  into.nodes += from.nodes;
  into.unknownNodes += from.unknownNodes;
  into.monthly += from.monthly;
  into.used += from.used;
  into.idle += from.idle;
}

/**
 * Node costs summed over the whole cluster and per provider, region (`provider/region`) and
 * zone (`provider/region/zone`), each list sorted by its key.
 *
 * @public
 */
export function locationCosts(nodes: NodeCost[]): {
  total: NodeSetCost;
  providers: LocationCost[];
  regions: LocationCost[];
  zones: LocationCost[];
} {
  const total = emptyNodeSetCost();
  const groups = {
    providers: new Map<string, LocationCost>(),
    regions: new Map<string, LocationCost>(),
    zones: new Map<string, LocationCost>(),
  };
  const add = (
    map: Map<string, LocationCost>,
    key: string,
    at: Omit<LocationCost, keyof NodeSetCost>,
    n: NodeCost,
  ) => {
    let row = map.get(key);
    if (!row) {
      row = { ...at, ...emptyNodeSetCost() };
      map.set(key, row);
    }
    addNodeSet(row, n);
  };
  for (const n of nodes) {
    addNodeSet(total, n);
    add(groups.providers, n.provider, { provider: n.provider }, n);
    add(
      groups.regions,
      `${n.provider}/${n.region}`,
      { provider: n.provider, region: n.region },
      n,
    );
    add(
      groups.zones,
      `${n.provider}/${n.region}/${n.zone}`,
      { provider: n.provider, region: n.region, zone: n.zone },
      n,
    );
  }
  const sorted = (m: Map<string, LocationCost>) =>
    [...m.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, v]) => v);
  return {
    total,
    providers: sorted(groups.providers),
    regions: sorted(groups.regions),
    zones: sorted(groups.zones),
  };
}

/**
 * What a set of pods costs: the sum of their shares, per provider as well. Pods on unpriced
 * nodes are counted in `unknownPods`, and pods not on a node in neither figure.
 *
 * @public
 */
export function podSetCost(
  pods: Iterable<SlimPod>,
  costs: ReadonlyMap<string, PodCost>,
): PodSetCost {
  const out: PodSetCost = {
    pods: 0,
    unknownPods: 0,
    monthly: 0,
    byProvider: {},
  };
  for (const pod of pods) {
    const cost = costs.get(podKey(pod));
    if (!cost) continue;
    out.pods += 1;
    if (cost.monthly === null) {
      out.unknownPods += 1;
      continue;
    }
    out.monthly += cost.monthly;
    out.byProvider[cost.provider] =
      (out.byProvider[cost.provider] ?? 0) + cost.monthly;
  }
  return out;
}

/**
 * The cost of each service (see `groupServices`), sorted by id.
 *
 * @public
 */
export function serviceCosts(
  services: Service[],
  costs: ReadonlyMap<string, PodCost>,
): WorkloadCost[] {
  return services
    .map(s => ({
      id: s.id,
      namespace: s.namespace,
      name: s.name,
      ...podSetCost(s.pods, costs),
    }))
    .sort((a, b) => a.id.localeCompare(b.id));
}
