import { ProviderRegistry } from './createProviderRegistry';

/**
 * The fields of a Node that provider detection reads; both full and slim nodes satisfy it.
 *
 * @public
 */
export interface NodeIdentity {
  labels?: Record<string, string>;
  providerID?: string;
}

/**
 * Label keys of the standard topology labels.
 *
 * @public
 */
export const TOPOLOGY_REGION_LABEL = 'topology.kubernetes.io/region';
/** @public */
export const TOPOLOGY_ZONE_LABEL = 'topology.kubernetes.io/zone';
const LEGACY_REGION_LABEL = 'failure-domain.beta.kubernetes.io/region';
const LEGACY_ZONE_LABEL = 'failure-domain.beta.kubernetes.io/zone';

/**
 * The provider a node belongs to, following DESIGN's order: labels with a value
 * (`cfke.io/provider=<name>`) first, then provider-specific label keys and prefixes,
 * then the `spec.providerID` scheme. `undefined` when nothing matches.
 *
 * @public
 */
export function providerOfNode(
  node: NodeIdentity,
  registry: ProviderRegistry,
): string | undefined {
  const labels = node.labels ?? {};
  for (const p of registry.providers) {
    if (
      p.detection.labels.some(
        l => l.value !== undefined && labels[l.key] === l.value,
      )
    ) {
      return p.name;
    }
  }
  const keys = Object.keys(labels);
  for (const p of registry.providers) {
    const byKey = p.detection.labels.some(
      l => l.value === undefined && l.key in labels,
    );
    const byPrefix = p.detection.labelPrefixes.some(prefix =>
      keys.some(k => k.startsWith(prefix)),
    );
    if (byKey || byPrefix) return p.name;
  }
  const scheme = node.providerID?.split('://')[0];
  if (scheme) {
    const p = registry.providers.find(d =>
      d.detection.providerIDSchemes.includes(scheme),
    );
    if (p) return p.name;
  }
  return undefined;
}

/**
 * Region and zone from the topology labels (legacy beta labels as fallback).
 *
 * @public
 */
export function locationOfNode(node: NodeIdentity): {
  region?: string;
  zone?: string;
} {
  const labels = node.labels ?? {};
  return {
    region: labels[TOPOLOGY_REGION_LABEL] ?? labels[LEGACY_REGION_LABEL],
    zone: labels[TOPOLOGY_ZONE_LABEL] ?? labels[LEGACY_ZONE_LABEL],
  };
}
