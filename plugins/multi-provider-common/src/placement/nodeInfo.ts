import { SlimNode } from '../kube/slim';
import {
  ProviderRegistry,
  findProvider,
  isEuRegion,
} from '../registry/createProviderRegistry';
import { locationOfNode, providerOfNode } from '../registry/providerOfNode';

/**
 * Name used when a node's provider, region or zone is not known.
 *
 * @public
 */
export const UNKNOWN = 'unknown';

/**
 * A node with its provider, region, zone and EU flag resolved once.
 *
 * @public
 */
export interface NodeInfo {
  node: SlimNode;
  provider: string;
  providerKnown: boolean;
  region: string;
  zone: string;
  eu: boolean | null;
}

/**
 * Resolves every node's provider / region / zone against the registry, keyed by node name.
 *
 * @public
 */
export function describeNodes(
  nodes: Iterable<SlimNode>,
  registry: ProviderRegistry,
): Map<string, NodeInfo> {
  const out = new Map<string, NodeInfo>();
  for (const node of nodes) {
    const provider = providerOfNode(node, registry);
    const { region, zone } = locationOfNode(node);
    out.set(node.name, {
      node,
      provider: provider ?? UNKNOWN,
      providerKnown: !!findProvider(registry, provider),
      region: region ?? UNKNOWN,
      zone: zone ?? UNKNOWN,
      eu: isEuRegion(registry, provider, region) ?? null,
    });
  }
  return out;
}

/**
 * Display name of a provider (registry displayName, or the raw name).
 *
 * @public
 */
export function providerDisplayName(
  registry: ProviderRegistry,
  name: string,
): string {
  return findProvider(registry, name)?.displayName ?? name;
}

/**
 * Sorts by name with `unknown` last, so views are stable.
 *
 * @public
 */
export function byName<T extends { name: string }>(a: T, b: T): number {
  if (a.name === UNKNOWN) return 1;
  if (b.name === UNKNOWN) return -1;
  return a.name.localeCompare(b.name);
}
