const SUFFIXES: Record<string, number> = {
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
};

/** Parses a Kubernetes storage quantity (`10Gi`, `1G`, `500M`) into bytes. */
export function quantityBytes(quantity: string): number {
  const m = /^(\d+(?:\.\d+)?)([kMGT]i?|Ki|)$/.exec(quantity.trim());
  if (!m || SUFFIXES[m[2]] === undefined) {
    throw new Error(`unsupported quantity "${quantity}"`);
  }
  return Number(m[1]) * SUFFIXES[m[2]];
}
