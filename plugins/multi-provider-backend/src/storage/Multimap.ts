/**
 * A multimap from a string key to string values. Most keys hold one value (one claim per
 * volume), kept as the string itself; a set only when several share a key.
 */
export class Multimap {
  private readonly map = new Map<string, string | Set<string>>();

  /** Adds `value` under `key`. */
  add(key: string, value: string): void {
    const values = this.map.get(key);
    if (values === undefined || values === value) this.map.set(key, value);
    else if (typeof values === 'string') {
      this.map.set(key, new Set([values, value]));
    } else values.add(value);
  }

  /** Removes `value` from under `key`; the key goes with its last value. */
  delete(key: string, value: string): void {
    const values = this.map.get(key);
    if (values === value) this.map.delete(key);
    else if (values instanceof Set) {
      values.delete(value);
      if (values.size === 1) this.map.set(key, values.values().next().value!);
    }
  }

  /** Whether `key` holds any value. */
  has(key: string): boolean {
    return this.map.has(key);
  }

  /** The values under `key`. */
  get(key: string): Iterable<string> {
    const values = this.map.get(key);
    if (values === undefined) return [];
    return typeof values === 'string' ? [values] : values;
  }
}
