const UNITS: Record<string, number> = {
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
};

/** Storage sizes the actions accept: a positive integer and a Kubernetes suffix. */
export const STORAGE_SIZE_PATTERN =
  /^[1-9][0-9]{0,5}(k|M|G|T|P|Ki|Mi|Gi|Ti|Pi)?$/;

/** Bytes of a Kubernetes storage quantity (integers with an optional suffix); undefined if not one. */
export function quantityBytes(q: string): number | undefined {
  const m = /^([0-9]+)(k|M|G|T|P|Ki|Mi|Gi|Ti|Pi)?$/.exec(q);
  if (!m) return undefined;
  return Number(m[1]) * UNITS[m[2] ?? ''];
}
