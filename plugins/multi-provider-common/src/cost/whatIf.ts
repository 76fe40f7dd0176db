import { Resources } from '../kube/slim';
import { bytes } from '../kube/quantity';
import { TOPOLOGY_REGION_LABEL } from '../registry/providerOfNode';
import { PlacementIntent } from '../kube/slim';
import { ProviderDefinition } from '../registry/createProviderRegistry';
import { requestWeight } from './podShare';

/**
 * What a workload would cost on one provider: the cheapest server type that fits one replica's
 * requests in a region the workload allows, with the replicas' shares of it by the same rule
 * as running pods (the type's vCPU and memory as what the node offers).
 *
 * @public
 */
export type ProviderAlternative =
  | {
      provider: string;
      fits: true;
      serverType: string;
      regions: string[];
      /** Monthly cost of all replicas' shares. */
      monthly: number;
    }
  | { provider: string; fits: false; reason: string };

/**
 * The regions a pod's intent allows, from its node selector and required node affinity on
 * the region label; `undefined` when the intent does not restrict regions.
 *
 * @public
 */
export function allowedRegions(
  intent: PlacementIntent | undefined,
): Set<string> | undefined {
  let allowed: Set<string> | undefined;
  const narrow = (values: string[]) => {
    allowed = allowed
      ? new Set(values.filter(v => allowed!.has(v)))
      : new Set(values);
  };
  const selected = intent?.nodeSelector?.[TOPOLOGY_REGION_LABEL];
  if (selected) narrow([selected]);
  const terms = intent?.requiredTerms ?? [];
  // Terms are ORed: a region restriction holds only when every term restricts regions.
  const perTerm = terms.map(t =>
    (t.matchExpressions ?? [])
      .filter(e => e.key === TOPOLOGY_REGION_LABEL && e.operator === 'In')
      .flatMap(e => e.values ?? []),
  );
  if (perTerm.length > 0 && perTerm.every(v => v.length > 0)) {
    narrow(perTerm.flat());
  }
  return allowed;
}

/**
 * The cheapest way to run `replicas` pods of these requests on `provider`, or why it cannot.
 *
 * @public
 */
export function cheapestAlternative(
  provider: ProviderDefinition,
  requests: Resources,
  replicas: number,
  regions: Set<string> | undefined,
): ProviderAlternative {
  const table = provider.prices;
  if (!table) {
    return { provider: provider.name, fits: false, reason: 'no price table' };
  }
  let best: Extract<ProviderAlternative, { fits: true }> | undefined;
  for (const type of table.serverTypes) {
    const inRegions = type.regions.filter(r => !regions || regions.has(r));
    const offered = {
      cpuMillis: type.cpu * 1000,
      memoryBytes: bytes(type.memory),
    };
    if (
      inRegions.length === 0 ||
      requests.cpuMillis > offered.cpuMillis ||
      requests.memoryBytes > offered.memoryBytes
    ) {
      continue;
    }
    const monthly =
      replicas * type.monthly * Math.min(1, requestWeight(requests, offered));
    if (!best || monthly < best.monthly) {
      best = {
        provider: provider.name,
        fits: true,
        serverType: type.name,
        regions: inRegions,
        monthly,
      };
    }
  }
  return (
    best ?? {
      provider: provider.name,
      fits: false,
      reason: regions
        ? `no server type fits the requests in ${[...regions].join(', ')}`
        : 'no server type fits the requests',
    }
  );
}
