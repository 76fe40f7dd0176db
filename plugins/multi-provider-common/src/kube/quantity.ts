/**
 * A Kubernetes resource quantity as an exact fraction, so "1.1G" is 1100000000 and not
 * 1100000000.0000002: `numerator / denominator`, the denominator a power of ten.
 *
 * @public
 */
export interface Quantity {
  numerator: bigint;
  denominator: bigint;
}

/**
 * Thrown by {@link parseQuantity} for text that is not a Kubernetes quantity.
 *
 * @public
 */
export class InvalidQuantityError extends Error {
  constructor(text: string) {
    super(
      `"${text}" is not a Kubernetes quantity (a number with an optional suffix: 10Gi, 500M, 1.5, 100m, 1e3)`,
    );
    this.name = 'InvalidQuantityError';
  }
}

const BINARY_EXPONENT: Record<string, bigint> = {
  Ki: 10n,
  Mi: 20n,
  Gi: 30n,
  Ti: 40n,
  Pi: 50n,
  Ei: 60n,
};
const DECIMAL_EXPONENT: Record<string, number> = {
  n: -9,
  u: -6,
  m: -3,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};

// The API server's grammar (apimachinery resource.ParseQuantity): an optional sign, digits with
// an optional fraction, then one binary suffix, one decimal suffix, or a decimal exponent.
// Nothing else: no spaces, no "K", no "GB". As there, the digits may be missing ("Gi", "+"),
// which reads as zero.
const QUANTITY =
  /^([+-]?)(\d*(?:\.\d*)?)(?:(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])|[eE]([+-]?\d+))?$/;
// Exponents beyond this would build numbers of millions of digits; no real quantity has them.
const MAX_EXPONENT = 1000;

/**
 * Parses a Kubernetes quantity exactly. Throws {@link InvalidQuantityError} for anything the API
 * server would reject. The Go validator's twin (tools/gitops-validate/quantity.go) runs the same
 * vectors (conformance/quantity).
 *
 * @public
 */
export function parseQuantity(text: string): Quantity {
  const m = QUANTITY.exec(text);
  if (!m || text === '') throw new InvalidQuantityError(text);
  const [, sign, number, suffix, exponent] = m;
  const [whole, fraction = ''] = number.split('.');
  let numerator = BigInt(`${whole || '0'}${fraction}`);
  if (sign === '-') numerator = -numerator;
  let exp10 = -fraction.length;
  if (suffix && BINARY_EXPONENT[suffix] !== undefined) {
    numerator <<= BINARY_EXPONENT[suffix];
  } else if (suffix) {
    exp10 += DECIMAL_EXPONENT[suffix];
  } else if (exponent) {
    const e = Number(exponent);
    if (Math.abs(e) > MAX_EXPONENT) throw new InvalidQuantityError(text);
    exp10 += e;
  }
  if (exp10 >= 0) {
    return { numerator: numerator * 10n ** BigInt(exp10), denominator: 1n };
  }
  // The API server keeps nine decimals and rounds anything finer away from zero.
  if (exp10 < -9) {
    numerator = roundedDiv(numerator, 10n ** BigInt(-9 - exp10));
    exp10 = -9;
  }
  return { numerator, denominator: 10n ** BigInt(-exp10) };
}

/** n / d (d > 0) rounded away from zero, as the API server rounds quantities. */
function roundedDiv(n: bigint, d: bigint): bigint {
  const q = n / d;
  if (n % d === 0n) return q;
  return n > 0n ? q + 1n : q - 1n;
}

/**
 * The quantity in base units (bytes, cores), rounded up as the API server's `Value()` does.
 *
 * @public
 */
export function quantityValue(q: Quantity): bigint {
  return roundedDiv(q.numerator, q.denominator);
}

/**
 * The quantity in thousandths (millicores), rounded up as the API server's `MilliValue()` does.
 *
 * @public
 */
export function quantityMilliValue(q: Quantity): bigint {
  return roundedDiv(q.numerator * 1000n, q.denominator);
}

/**
 * Negative, zero or positive as `a` is less than, equal to or greater than `b`.
 *
 * @public
 */
export function compareQuantities(a: Quantity, b: Quantity): number {
  const l = a.numerator * b.denominator;
  const r = b.numerator * a.denominator;
  if (l === r) return 0;
  return l < r ? -1 : 1;
}

const GIB = 1n << 30n;

/**
 * Whether the quantity is an exact multiple of 1 GiB (so "10.5Gi" and "20G" are not).
 *
 * @public
 */
export function isWholeGiB(q: Quantity): boolean {
  return q.numerator % (q.denominator * GIB) === 0n;
}

function lenient(
  value: string | number | undefined,
  scale: (q: Quantity) => bigint,
  fromNumber: (n: number) => number,
): number {
  if (value === undefined) return 0;
  if (typeof value === 'number') return fromNumber(value);
  try {
    return Number(scale(parseQuantity(value)));
  } catch {
    return 0;
  }
}

/** Parsed quantities by their text: a cluster repeats a handful ("10Gi", "100m") thousands of times. */
const MEMO_LIMIT = 4096;
const BYTES_MEMO = new Map<string, number>();
const MILLIS_MEMO = new Map<string, number>();

function memoised(
  memo: Map<string, number>,
  value: string | number | undefined,
  compute: () => number,
): number {
  if (typeof value !== 'string') return compute();
  const hit = memo.get(value);
  if (hit !== undefined) return hit;
  const out = compute();
  if (memo.size >= MEMO_LIMIT) memo.clear();
  memo.set(value, out);
  return out;
}

/**
 * CPU quantity in millicores (rounded up, as the scheduler does); 0 when absent or not a
 * quantity, as an unset request counts.
 *
 * @public
 */
export function cpuMillis(value: string | number | undefined): number {
  return memoised(MILLIS_MEMO, value, () =>
    lenient(value, quantityMilliValue, n => Math.ceil(n * 1000 - 1e-9)),
  );
}

/**
 * Memory / storage quantity in bytes (rounded up); 0 when absent or not a quantity.
 *
 * @public
 */
export function bytes(value: string | number | undefined): number {
  return memoised(BYTES_MEMO, value, () =>
    lenient(value, quantityValue, Math.ceil),
  );
}
