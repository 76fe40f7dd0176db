import {
  ProviderRegistry,
  SlimPVC,
  StorageCounts,
  StorageCountsAccumulator,
  sumStorage,
} from '@cloudlab/plugin-multi-provider-common';
import type { StorageCache } from './StorageCache';

/**
 * The platform view's counts of one cluster (class rows, zones, totals), kept as sums that each
 * claim and volume change updates in place: the old object taken away, the new one added. A
 * changed volume takes the claims naming it away first and adds them back after, so they move
 * with it to its new zone. A change of a StorageClass, CSIDriver or CSINode, or another
 * registry, sums everything again on the next read.
 */
export class IncrementalStorageCounts {
  private sums?: StorageCountsAccumulator;
  private registry?: ProviderRegistry;
  private classVersion = -1;
  /** Sums started from every claim and volume, for tests and benchmarks. */
  fullSums = 0;

  constructor(private readonly cache: StorageCache) {
    cache.pvcs.subscribe((_key, prev, next) => {
      const sums = this.sums;
      if (!sums) return;
      if (prev) sums.claim(prev, -1);
      if (next) sums.claim(next, 1);
    });
    cache.pvs.subscribe((_key, prev, next) => {
      const sums = this.sums;
      if (!sums) return;
      const claims: SlimPVC[] = [];
      for (const k of cache.claimsNaming((prev ?? next)!.metadata.name)) {
        const claim = cache.pvcs.items.get(k);
        if (claim) claims.push(claim);
      }
      for (const c of claims) sums.claim(c, -1);
      if (prev) sums.volume(prev, -1);
      if (next) sums.volume(next, 1);
      for (const c of claims) sums.claim(c, 1);
    });
  }

  counts(registry: ProviderRegistry): StorageCounts {
    const { cache } = this;
    if (
      !this.sums ||
      registry !== this.registry ||
      cache.classVersion !== this.classVersion
    ) {
      this.fullSums += 1;
      this.registry = registry;
      this.classVersion = cache.classVersion;
      const classes = new Map(
        [...cache.storageClasses.items.values()].map(sc => [
          sc.metadata.name,
          sc,
        ]),
      );
      this.sums = sumStorage(
        registry,
        classes,
        cache.pvs.items.values(),
        cache.pvcs.items.values(),
      );
    }
    return this.sums.counts();
  }
}
