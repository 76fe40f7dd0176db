import type {
  ClusterPlacement,
  IntentStatus,
  PlacementPod,
  PlacementProvider,
} from '@cloudlab/plugin-multi-provider-common';

/** One pod with where it runs, flattened for the pod table. */
export interface PodRow {
  /** Unique within an answer: `cluster/namespace/name`. */
  id: string;
  cluster: string;
  provider: string;
  region: string;
  zone: string;
  node: string;
  pod: PlacementPod;
}

/** Every pod of one cluster's answer, scheduled ones first, in tree order. */
export function flattenPods(cluster: ClusterPlacement): PodRow[] {
  const rows: PodRow[] = [];
  const push = (
    pod: PlacementPod,
    where: Omit<PodRow, 'id' | 'cluster' | 'pod'>,
  ) =>
    rows.push({
      id: `${cluster.cluster}/${pod.namespace}/${pod.name}`,
      cluster: cluster.cluster,
      pod,
      ...where,
    });
  for (const provider of cluster.providers) {
    for (const region of provider.regions) {
      for (const zone of region.zones) {
        for (const node of zone.nodes) {
          for (const pod of node.pods) {
            push(pod, {
              provider: provider.displayName,
              region: region.name,
              zone: zone.name,
              node: node.name,
            });
          }
        }
      }
    }
  }
  for (const pod of cluster.unscheduled) {
    push(pod, { provider: '—', region: '—', zone: '—', node: '—' });
  }
  return rows;
}

/** Pod counts per intent status. */
export type IntentCounts = Record<IntentStatus, number>;

/** How many pods match their intent, miss a soft one, violate a hard one, or wait. */
export function countIntent(pods: Iterable<PlacementPod>): IntentCounts {
  const counts: IntentCounts = {
    matches: 0,
    warning: 0,
    violated: 0,
    pending: 0,
  };
  for (const pod of pods) counts[pod.intentStatus] += 1;
  return counts;
}

/** Pods on a provider, region, zone or node, counted without building lists. */
export function podsIn(group: PlacementGroup): number {
  if ('pods' in group) return group.pods.length;
  if ('regions' in group)
    return group.regions.reduce((n, r) => n + podsIn(r), 0);
  if ('zones' in group) return group.zones.reduce((n, z) => n + podsIn(z), 0);
  return group.nodes.reduce((n, node) => n + node.pods.length, 0);
}

/** Nodes in a provider, region or zone. */
export function nodesIn(group: Exclude<PlacementGroup, PlacementNode>): number {
  if ('regions' in group)
    return group.regions.reduce((n, r) => n + nodesIn(r), 0);
  if ('zones' in group) return group.zones.reduce((n, z) => n + nodesIn(z), 0);
  return group.nodes.length;
}

type PlacementRegion = PlacementProvider['regions'][number];
type PlacementZone = PlacementRegion['zones'][number];
type PlacementNode = PlacementZone['nodes'][number];
/** Any level of the placement tree. */
export type PlacementGroup =
  | PlacementProvider
  | PlacementRegion
  | PlacementZone
  | PlacementNode;

/** The share of the entity's scheduled pods on each provider, largest first. */
export function providerShares(
  cluster: ClusterPlacement,
): { name: string; displayName: string; pods: number; share: number }[] {
  const counts = cluster.providers.map(p => ({
    name: p.name,
    displayName: p.displayName,
    pods: podsIn(p),
  }));
  const total = counts.reduce((n, c) => n + c.pods, 0);
  return counts
    .map(c => ({ ...c, share: total ? c.pods / total : 0 }))
    .sort((a, b) => b.pods - a.pods);
}

/** Above this many pods the tree starts collapsed, so a big service renders at once. */
export const EXPAND_TREE_BELOW_PODS = 50;
/** Nodes shown per zone before "show more". */
export const NODES_PER_PAGE = 25;
