import { ClaimCost, StorageClassCost } from '../api/cost';
import { bytes } from '../kube/quantity';
import {
  ProviderDefinition,
  ProviderRegistry,
} from '../registry/createProviderRegistry';
import { SlimPV, SlimPVC, SlimStorageClass } from '../storage/slim';

const GIB = 1024 ** 3;

/** The provider that provisions a claim: its class in the registry, else its volume's driver. */
function providerOfClaim(
  registry: ProviderRegistry,
  className: string | null,
  sc: SlimStorageClass | undefined,
  pv: SlimPV | undefined,
): ProviderDefinition | undefined {
  const driver = pv?.spec.csi?.driver ?? sc?.provisioner;
  return registry.providers.find(
    p =>
      (className && p.storage?.classes.some(c => c.name === className)) ||
      (driver && p.storage?.csiDriver === driver),
  );
}

/**
 * The size a provider bills for a volume, in GiB: at least its minimum, whole GiB where the
 * provider only makes whole-GiB volumes.
 *
 * @public
 */
export function billedGiB(
  sizeBytes: number,
  provider: ProviderDefinition,
): number {
  const min =
    provider.prices?.blockStorage?.minSize ?? provider.storage?.minVolumeSize;
  const gib = Math.max(sizeBytes, min ? bytes(min) : 0) / GIB;
  return provider.storage?.wholeGiB ? Math.ceil(gib) : gib;
}

/**
 * What each claim costs a month: billed size times its provider's block storage price. The
 * size is the bound volume's capacity, else the claim's request. A claim whose provider, size
 * or price is not known has a null figure and says why.
 *
 * @public
 */
export function claimCosts(
  claims: Iterable<SlimPVC>,
  volumes: ReadonlyMap<string, SlimPV>,
  storageClasses: ReadonlyMap<string, SlimStorageClass>,
  registry: ProviderRegistry,
  currency: string | undefined,
): ClaimCost[] {
  const out: ClaimCost[] = [];
  for (const claim of claims) {
    const className = claim.spec.storageClassName ?? null;
    const pv = claim.spec.volumeName
      ? volumes.get(claim.spec.volumeName)
      : undefined;
    const sc = className ? storageClasses.get(className) : undefined;
    const provider = providerOfClaim(registry, className, sc, pv);
    const row: ClaimCost = {
      namespace: claim.metadata.namespace,
      name: claim.metadata.name,
      storageClassName: className,
      provider: provider?.name ?? null,
      billedGiB: null,
      monthly: null,
    };
    const size =
      pv?.spec.capacity ??
      claim.status.capacity ??
      claim.spec.resources?.requests?.storage;
    const price = provider?.prices?.blockStorage;
    if (!provider) {
      row.unknownReason = 'no provider of the registry provisions its class';
    } else if (!size) {
      row.unknownReason = 'the claim names no size';
    } else if (!price || provider.prices?.currency !== currency) {
      row.unknownReason = `no block storage price for ${provider.name}`;
    } else {
      row.billedGiB = billedGiB(bytes(size), provider);
      row.monthly = row.billedGiB * price.perGiBMonth;
    }
    out.push(row);
  }
  return out.sort(
    (a, b) =>
      a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name),
  );
}

/**
 * Claim costs summed per storage class.
 *
 * @public
 */
export function storageClassCosts(claims: ClaimCost[]): StorageClassCost[] {
  const byClass = new Map<string, StorageClassCost>();
  for (const c of claims) {
    const key = c.storageClassName ?? '';
    const row = byClass.get(key) ?? {
      storageClassName: c.storageClassName,
      provider: c.provider,
      claims: 0,
      unknownClaims: 0,
      billedGiB: 0,
      monthly: 0,
    };
    row.claims += 1;
    if (c.monthly === null) row.unknownClaims += 1;
    else {
      row.monthly += c.monthly;
      row.billedGiB += c.billedGiB ?? 0;
    }
    byClass.set(key, row);
  }
  return [...byClass.values()].sort((a, b) =>
    (a.storageClassName ?? '').localeCompare(b.storageClassName ?? ''),
  );
}
