/**
 * An index from a key to the items filed under it. Most keys hold one item (one claim per
 * volume), kept as the string itself; a set only when several share a key.
 */
export type KeyIndex = Map<string, string | Set<string>>;

/** Files `item` under `at`. */
export function file(index: KeyIndex, at: string, item: string) {
  const items = index.get(at);
  if (items === undefined || items === item) index.set(at, item);
  else if (typeof items === 'string') index.set(at, new Set([items, item]));
  else items.add(item);
}

/** Takes `item` from under `at`; the key goes with its last item. */
export function unfile(index: KeyIndex, at: string, item: string) {
  const items = index.get(at);
  if (items === item) index.delete(at);
  else if (items instanceof Set) {
    items.delete(item);
    if (items.size === 1) index.set(at, items.values().next().value!);
  }
}

/** The items filed under `at`. */
export function filed(index: KeyIndex, at: string): Iterable<string> {
  const items = index.get(at);
  if (items === undefined) return [];
  return typeof items === 'string' ? [items] : items;
}
