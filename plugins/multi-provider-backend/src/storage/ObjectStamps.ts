const EMPTY: ReadonlySet<string> = new Set();

/**
 * Change stamps per object key, on one clock: every change of an item filed under a key stamps
 * that key with the next tick. A key holds the items filed under it (one claim or volume under
 * its own key; the events about one object under that object's key) and disappears with its
 * last item.
 *
 * The {@link ObjectStamps.version} of a set of keys is their count and highest stamp. For a
 * fixed way of choosing the keys it changes whenever an item under one of them changes, joins
 * or leaves, and can never return to an earlier value: a changed or new key carries a tick
 * above every earlier stamp, so an equal highest stamp means no key changed since, and an equal
 * count then means none left either.
 *
 * @alpha
 */
export class ObjectStamps {
  private readonly stamps = new Map<string, number>();
  /** The items under each key, kept only when several items share a key (events). */
  private readonly members?: Map<string, Set<string>>;

  /**
   * With `shared`, several items may be filed under one key (the events about one object);
   * without it each key holds exactly its own item, and no item sets are kept (claims, volumes).
   */
  constructor(private readonly clock: { tick(): number }, shared = false) {
    if (shared) this.members = new Map();
  }

  /** Files one change of item `item`: it left `prevKey` and/or joined `nextKey`. */
  update(item: string, prevKey: string | undefined, nextKey?: string) {
    const tick = this.clock.tick();
    if (prevKey !== undefined && this.stamps.has(prevKey)) {
      const items = this.members?.get(prevKey);
      items?.delete(item);
      if (items && items.size > 0) this.stamps.set(prevKey, tick);
      else {
        this.stamps.delete(prevKey);
        this.members?.delete(prevKey);
      }
    }
    if (nextKey !== undefined) {
      this.stamps.set(nextKey, tick);
      if (this.members) {
        let items = this.members.get(nextKey);
        if (!items) this.members.set(nextKey, (items = new Set()));
        items.add(item);
      }
    }
  }

  /** The items filed under `key` (empty when none, or when items are not kept). */
  items(key: string): ReadonlySet<string> {
    return this.members?.get(key) ?? EMPTY;
  }

  /** `count:highest stamp` of the keys that exist (see the class comment). */
  version(keys: Iterable<string>): string {
    let count = 0;
    let max = 0;
    for (const key of keys) {
      const stamp = this.stamps.get(key);
      if (stamp === undefined) continue;
      count += 1;
      if (stamp > max) max = stamp;
    }
    return `${count}:${max}`;
  }
}
