import { CostEstimateResponse } from '../api/costEstimate';
import { bytes, cpuMillis } from '../kube/quantity';
import {
  ProviderRegistry,
  findProvider,
} from '../registry/createProviderRegistry';
import { SlimPVC } from '../storage/slim';
import { POD_SHARE_RULE } from './podShare';
import { reportCurrency } from './priceAge';
import { claimCosts } from './storageCost';
import { cheapestAlternative } from './whatIf';

/**
 * The requests every container the templates' workload action (`cloudlab:workload:create`)
 * writes: the action and the template cost estimate both read them from here.
 *
 * @public
 */
export const TEMPLATE_WORKLOAD_REQUESTS = {
  cpu: '50m',
  memory: '64Mi',
} as const;

/**
 * What a template run will cost a month: per provider, its instance's `replicas` pods at their
 * shares of the provider's cheapest fitting server type (the "what if" rule), plus one volume
 * of `storageSize` on the provider's first storage class (the claim cost rule).
 *
 * @public
 */
export function estimateTemplateCost(
  registry: ProviderRegistry,
  request: { providers: string[]; replicas: number; storageSize?: string },
): CostEstimateResponse {
  const currency = reportCurrency(registry);
  const requests = {
    cpuMillis: cpuMillis(TEMPLATE_WORKLOAD_REQUESTS.cpu),
    memoryBytes: bytes(TEMPLATE_WORKLOAD_REQUESTS.memory),
  };
  const instances = request.providers.map(name => {
    const provider = findProvider(registry, name);
    if (!provider) {
      return {
        provider: name,
        pods: {
          provider: name,
          fits: false as const,
          reason: 'not in the provider registry',
        },
        monthly: null,
      };
    }
    const pods = cheapestAlternative(
      provider,
      requests,
      request.replicas,
      undefined,
    );
    let volume: CostEstimateResponse['instances'][number]['volume'];
    if (request.storageSize) {
      const claim: SlimPVC = {
        metadata: { name: 'data', namespace: 'estimate' },
        spec: {
          storageClassName: provider.storage?.classes[0]?.name ?? null,
          resources: { requests: { storage: request.storageSize } },
        },
        status: { phase: 'Pending' },
      };
      const [row] = claimCosts(
        [claim],
        new Map(),
        new Map(),
        registry,
        currency,
      );
      volume = {
        billedGiB: row.billedGiB,
        monthly: row.monthly,
        ...(row.unknownReason ? { unknownReason: row.unknownReason } : {}),
      };
    }
    const parts = [
      pods.fits ? pods.monthly : null,
      volume ? volume.monthly : 0,
    ];
    const monthly = parts.every((p): p is number => p !== null)
      ? parts.reduce((a, b) => a + b, 0)
      : null;
    return { provider: name, pods, ...(volume ? { volume } : {}), monthly };
  });
  const known = instances.every(i => i.monthly !== null);
  return {
    currency: currency ?? null,
    requests: { ...TEMPLATE_WORKLOAD_REQUESTS },
    rule: `${POD_SHARE_RULE} An estimate prices each instance's pods on its provider's cheapest server type that fits them, and its volume at the provider's block storage price.`,
    instances,
    monthly: known ? instances.reduce((sum, i) => sum + i.monthly!, 0) : null,
  };
}
