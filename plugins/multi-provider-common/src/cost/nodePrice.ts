import { SlimNode } from '../kube/slim';
import {
  ProviderRegistry,
  findProvider,
} from '../registry/createProviderRegistry';
import { ServerTypePrice } from '../registry/schema';
import { NodeInfo } from '../placement/nodeInfo';

/**
 * Labels naming a node's server type, in order of preference (the beta one is what older
 * cloud controllers still set).
 *
 * @public
 */
export const INSTANCE_TYPE_LABELS = [
  'node.kubernetes.io/instance-type',
  'beta.kubernetes.io/instance-type',
] as const;

/**
 * What one node costs a month: its type's list price, or why no price is known. An unknown
 * price is never counted as zero.
 *
 * @public
 */
export type NodePrice =
  | { known: true; serverType: string; monthly: number }
  | { known: false; serverType?: string; reason: string };

/**
 * The server type a node's labels name, if any.
 *
 * @public
 */
export function serverTypeOfNode(node: SlimNode): string | undefined {
  for (const label of INSTANCE_TYPE_LABELS) {
    if (node.labels[label]) return node.labels[label];
  }
  return undefined;
}

/**
 * The price-table row of a server type. Names compare without case: providers label nodes in
 * lower case where their pages write upper case.
 *
 * @public
 */
export function findServerType(
  types: ServerTypePrice[],
  name: string,
): ServerTypePrice | undefined {
  const wanted = name.toLowerCase();
  return types.find(t => t.name.toLowerCase() === wanted);
}

/**
 * The monthly price of a node: its provider's table, its server type, sold in its region, in
 * the report's currency. Each missing link gives an unknown price naming it.
 *
 * @public
 */
export function priceOfNode(
  info: NodeInfo,
  registry: ProviderRegistry,
  currency: string,
): NodePrice {
  const serverType = serverTypeOfNode(info.node);
  const unknown = (reason: string): NodePrice =>
    serverType
      ? { known: false, serverType, reason }
      : { known: false, reason };
  if (!serverType) return unknown('the node names no server type');
  const prices = findProvider(registry, info.provider)?.prices;
  if (!prices) {
    return unknown(`no price table for provider ${info.provider}`);
  }
  if (prices.currency !== currency) {
    return unknown(`${info.provider} is priced in ${prices.currency}`);
  }
  const row = findServerType(prices.serverTypes, serverType);
  if (!row) {
    return unknown(`${serverType} is not in ${info.provider}'s price table`);
  }
  if (!row.regions.includes(info.region)) {
    return unknown(`${serverType} has no price for region ${info.region}`);
  }
  return { known: true, serverType: row.name, monthly: row.monthly };
}
