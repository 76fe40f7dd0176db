import {
  claimContext,
  claimFindings,
  KubeEvent,
  mayPinClaims,
  ProviderRegistry,
  SlimPod,
  StorageFinding,
  supersedes,
} from '@cloudlab/plugin-multi-provider-common';
import { objectKey } from '@cloudlab/plugin-multi-provider-node';
import { Multimap } from './Multimap';
import type { StorageCache } from './StorageCache';

const CLAIM_KIND = 'PersistentVolumeClaim';

/**
 * The findings about each claim of one cluster (class, size, pending reason, provider
 * conflicts with its pods), kept between answers and judged again only for the claims a change
 * can touch: the claim itself, a claim naming a changed volume, a claim about which an event
 * changed, and the claims of a changed pod that may be pinned to a provider. A change of a
 * StorageClass, CSIDriver or CSINode, or another registry, judges every claim again.
 *
 * What it indexes besides the informers: the pods that may pin each claim (the claims naming
 * each volume are the cache's). Only claims with findings keep an entry.
 */
export class IncrementalClaimFindings {
  private readonly byClaim = new Map<string, StorageFinding[]>();
  private readonly dirty = new Set<string>();
  private registry?: ProviderRegistry;
  private classVersion = -1;
  /** Claim key -> keys of the pods that mount it and may be pinned to a provider. */
  private readonly pinningPods = new Multimap();
  /** Claims judged since construction, for tests and benchmarks. */
  judged = 0;

  constructor(private readonly cache: StorageCache) {
    for (const [key, pod] of cache.cluster.pods.items) {
      this.indexPod(key, undefined, pod);
    }
    cache.pvcs.subscribe(key => {
      this.dirty.add(key);
    });
    cache.pvs.subscribe((_key, prev, next) => {
      for (const pv of [prev, next]) {
        if (!pv) continue;
        for (const claim of cache.claimsNaming(pv.metadata.name)) {
          this.dirty.add(claim);
        }
      }
    });
    cache.events.subscribe((_key, prev, next) => {
      for (const e of [prev, next]) {
        if (e?.involvedObject.kind === CLAIM_KIND) {
          this.dirty.add(
            objectKey(e.involvedObject.namespace, e.involvedObject.name),
          );
        }
      }
    });
    cache.cluster.pods.subscribe((key, prev, next) =>
      this.indexPod(key, prev, next),
    );
  }

  /** Every finding about a claim, judging again first what changed since the last call. */
  findings(registry: ProviderRegistry): StorageFinding[] {
    this.refresh(registry);
    const out: StorageFinding[] = [];
    for (const list of this.byClaim.values()) out.push(...list);
    return out;
  }

  private refresh(registry: ProviderRegistry) {
    const { cache } = this;
    // Before the first call `registry` is unset, so every claim is judged.
    if (
      registry !== this.registry ||
      cache.classVersion !== this.classVersion
    ) {
      this.registry = registry;
      this.classVersion = cache.classVersion;
      this.byClaim.clear();
      this.dirty.clear();
      this.judge(registry, cache.pvcs.items.keys());
      return;
    }
    if (this.dirty.size === 0) return;
    const keys = [...this.dirty];
    this.dirty.clear();
    this.judge(registry, keys);
  }

  private judge(registry: ProviderRegistry, keys: Iterable<string>) {
    const { cache } = this;
    const ctx = claimContext(registry, cache.storageClasses.items.values());
    for (const key of keys) {
      this.judged += 1;
      const claim = cache.pvcs.items.get(key);
      if (!claim) {
        this.byClaim.delete(key);
        continue;
      }
      const out: StorageFinding[] = [];
      const pending = claim.status.phase === 'Pending';
      claimFindings(
        out,
        claim,
        ctx,
        claim.spec.volumeName
          ? cache.pvs.items.get(objectKey(undefined, claim.spec.volumeName))
          : undefined,
        this.podsOf(key),
        pending ? this.latestEvent(key) : undefined,
      );
      if (out.length > 0) this.byClaim.set(key, out);
      else this.byClaim.delete(key);
    }
  }

  private podsOf(claimKey: string): SlimPod[] | undefined {
    if (!this.pinningPods.has(claimKey)) return undefined;
    const pods: SlimPod[] = [];
    for (const k of this.pinningPods.get(claimKey)) {
      const pod = this.cache.cluster.pods.items.get(k);
      if (pod) pods.push(pod);
    }
    return pods;
  }

  private latestEvent(claimKey: string): KubeEvent | undefined {
    let latest: KubeEvent | undefined;
    for (const k of this.cache.eventStamps.items(claimKey)) {
      const e = this.cache.events.items.get(k);
      if (e?.involvedObject.kind === CLAIM_KIND && supersedes(e, latest)) {
        latest = e;
      }
    }
    return latest;
  }

  private indexPod(key: string, prev?: SlimPod, next?: SlimPod) {
    for (const [pod, add] of [
      [prev, false],
      [next, true],
    ] as const) {
      if (!pod || !mayPinClaims(pod)) continue;
      for (const c of pod.claims!) {
        const claimKey = objectKey(pod.namespace, c);
        if (add) this.pinningPods.add(claimKey, key);
        else this.pinningPods.delete(claimKey, key);
        this.dirty.add(claimKey);
      }
    }
  }
}
