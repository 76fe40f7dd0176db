const SUFFIX: Record<string, number> = {
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
  Ti: 1024 ** 4,
  Pi: 1024 ** 5,
  Ei: 1024 ** 6,
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  k: 1e3,
  K: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
};

/**
 * Parses a Kubernetes resource quantity ("100m", "1.5Gi", "1e3") into base units.
 * Returns `undefined` for anything that is not a quantity, so callers decide the default.
 */
export function parseQuantity(
  value: string | number | undefined,
): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number') return value;
  const match = /^([+-]?[0-9.]+(?:[eE][+-]?[0-9]+)?)([a-zA-Z]*)$/.exec(
    value.trim(),
  );
  if (!match) return undefined;
  const n = Number(match[1]);
  if (Number.isNaN(n)) return undefined;
  if (!match[2]) return n;
  const mult = SUFFIX[match[2]];
  return mult === undefined ? undefined : n * mult;
}

/** CPU quantity in millicores (rounded up, as the scheduler does). */
export function cpuMillis(value: string | number | undefined): number {
  const n = parseQuantity(value);
  return n === undefined ? 0 : Math.ceil(n * 1000 - 1e-9);
}

/** Parsed byte quantities by their text: a cluster repeats a handful ("10Gi") thousands of times. */
const BYTES_MEMO = new Map<string, number>();
const BYTES_MEMO_LIMIT = 4096;

/** Memory / storage quantity in bytes. */
export function bytes(value: string | number | undefined): number {
  if (typeof value === 'string') {
    const hit = BYTES_MEMO.get(value);
    if (hit !== undefined) return hit;
  }
  const n = parseQuantity(value);
  const out = n === undefined ? 0 : Math.ceil(n);
  if (typeof value === 'string') {
    if (BYTES_MEMO.size >= BYTES_MEMO_LIMIT) BYTES_MEMO.clear();
    BYTES_MEMO.set(value, out);
  }
  return out;
}
