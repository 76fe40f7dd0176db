import { ClusterCost } from '../api/cost';
import { SlimPod } from '../kube/slim';
import { ProviderRegistry } from '../registry/createProviderRegistry';
import { NodeInfo } from '../placement/nodeInfo';
import { groupServices } from '../placement/services';
import { SlimPV, SlimPVC, SlimStorageClass } from '../storage/slim';
import { locationCosts, nodeAndPodCosts, serviceCosts } from './nodeCost';
import { POD_SHARE_RULE } from './podShare';
import { reportCurrency, stalePriceTables } from './priceAge';
import { claimCosts, storageClassCosts } from './storageCost';

/**
 * What the cost of a cluster is computed from.
 *
 * @public
 */
export interface ClusterCostInput {
  nodes: ReadonlyMap<string, NodeInfo>;
  pods: Iterable<SlimPod>;
  claims: Iterable<SlimPVC>;
  volumes: ReadonlyMap<string, SlimPV>;
  storageClasses: ReadonlyMap<string, SlimStorageClass>;
  registry: ProviderRegistry;
  /** The time staleness is measured at. */
  now: Date;
  /** A price table read longer ago than this warns in every figure. */
  maxPriceAgeMs: number;
}

/**
 * The monthly cost of one cluster from the registry's price tables: per node (split among its
 * pods by {@link POD_SHARE_RULE}, idle apart), per provider / region / zone, per service, per
 * storage claim and class.
 *
 * @public
 */
export function buildClusterCost(
  input: ClusterCostInput,
): Omit<ClusterCost, 'cluster' | 'state'> {
  const { registry } = input;
  const currency = reportCurrency(registry);
  const pods = [...input.pods];
  const { nodes, pods: podCosts } = nodeAndPodCosts(
    input.nodes,
    pods,
    registry,
    currency,
  );
  const claims = claimCosts(
    input.claims,
    input.volumes,
    input.storageClasses,
    registry,
    currency,
  );
  return {
    currency: currency ?? null,
    rule: POD_SHARE_RULE,
    stale: stalePriceTables(registry, input.now, input.maxPriceAgeMs),
    ...locationCosts(nodes),
    nodes,
    services: serviceCosts(groupServices(pods, registry), podCosts),
    claims,
    storageClasses: storageClassCosts(claims),
  };
}
