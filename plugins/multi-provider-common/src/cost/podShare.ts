import { Resources } from '../kube/slim';

/**
 * The rule that splits a node's price among its pods, in words (shown with every figure).
 *
 * @public
 */
export const POD_SHARE_RULE =
  "A node costs its server type's monthly list price. Each active pod on it takes the mean of " +
  "its CPU and memory requests as fractions of the node's allocatable resources; when the " +
  'fractions add up to more than the whole node they are scaled down to fit. A pod costs its ' +
  "fraction of the node's price; what no pod takes is the node's idle cost. Pods without " +
  'requests cost nothing (their use shows as idle). A node without a known price adds to no ' +
  'figure and is counted as unknown.';

/**
 * A pod's weight on a node: the mean of its CPU and memory requests as fractions of what the
 * node offers, over the resources the node offers at all.
 *
 * @public
 */
export function requestWeight(
  requests: Resources | undefined,
  offered: Resources,
): number {
  if (!requests) return 0;
  const fractions: number[] = [];
  if (offered.cpuMillis > 0) {
    fractions.push(Math.max(0, requests.cpuMillis) / offered.cpuMillis);
  }
  if (offered.memoryBytes > 0) {
    fractions.push(Math.max(0, requests.memoryBytes) / offered.memoryBytes);
  }
  if (fractions.length === 0) return 0;
  return fractions.reduce((a, b) => a + b, 0) / fractions.length;
}

/**
 * Splits `price` by weights: each gets `price * w / max(1, sum of weights)`, so the shares
 * never exceed the price; the remainder is idle.
 *
 * @public
 */
export function splitPrice(
  price: number,
  weights: number[],
): { shares: number[]; idle: number } {
  const sum = weights.reduce((a, b) => a + b, 0);
  const scale = sum > 1 ? sum : 1;
  const shares = weights.map(w => (price * w) / scale);
  const used = shares.reduce((a, b) => a + b, 0);
  return { shares, idle: Math.max(0, price - used) };
}
