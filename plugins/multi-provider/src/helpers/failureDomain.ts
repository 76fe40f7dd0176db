import type {
  FailureDomain,
  PlatformPlacementResponse,
  ServiceVerdict,
  Verdict,
} from '@cloudlab/plugin-multi-provider-common';

/** A failure domain the user can pick, with the providers it belongs to for the label. */
export interface DomainOption extends FailureDomain {
  label: string;
  nodes: number;
}

/**
 * Every provider, region and zone in the platform answer (all clusters merged), in
 * map order, with how many nodes each would take down.
 */
export function failureDomainOptions(
  platform: PlatformPlacementResponse,
): DomainOption[] {
  const options = new Map<string, DomainOption>();
  const add = (
    level: FailureDomain['level'],
    name: string,
    label: string,
    nodes: number,
  ) => {
    const key = `${level}:${name}`;
    const existing = options.get(key);
    if (existing) existing.nodes += nodes;
    else options.set(key, { level, name, label, nodes });
  };
  for (const cluster of platform.clusters) {
    for (const provider of cluster.providers) {
      const providerNodes = provider.regions.reduce(
        (n, r) => n + r.zones.reduce((m, z) => m + z.nodes.length, 0),
        0,
      );
      add('provider', provider.name, provider.displayName, providerNodes);
      for (const region of provider.regions) {
        const regionNodes = region.zones.reduce(
          (n, z) => n + z.nodes.length,
          0,
        );
        add(
          'region',
          region.name,
          `${region.name} (${provider.displayName})`,
          regionNodes,
        );
        for (const zone of region.zones) {
          add(
            'zone',
            zone.name,
            `${zone.name} (${provider.displayName})`,
            zone.nodes.length,
          );
        }
      }
    }
  }
  return [...options.values()];
}

const VERDICT_ORDER: Record<Verdict, number> = {
  down: 0,
  degraded: 1,
  survives: 2,
};

/** Worst first, then affected before unaffected, then by id: what to read first. */
export function sortVerdicts(services: ServiceVerdict[]): ServiceVerdict[] {
  return [...services].sort(
    (a, b) =>
      VERDICT_ORDER[a.verdict] - VERDICT_ORDER[b.verdict] ||
      Number(b.affected) - Number(a.affected) ||
      a.id.localeCompare(b.id),
  );
}
