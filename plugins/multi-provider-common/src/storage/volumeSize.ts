import {
  compareQuantities,
  isWholeGiB,
  parseQuantity,
  Quantity,
} from '../kube/quantity';

/**
 * The storage facts of a provider the size rule reads (registry `spec.storage`).
 *
 * @public
 */
export interface VolumeSizeLimits {
  /** The smallest volume the provider creates; absent: no minimum. */
  minVolumeSize?: string;
  /** Whether the provider allocates whole GiB only. */
  wholeGiB?: boolean;
}

/**
 * The answer of {@link checkVolumeSize}; the same words in Go and conformance/provider-minimum-size.
 *
 * @public
 */
export type VolumeSizeVerdict =
  | 'ok'
  | 'below-minimum'
  | 'not-whole-gib'
  | 'invalid-size';

function tryParse(text: string): Quantity | undefined {
  try {
    return parseQuantity(text);
  } catch {
    return undefined;
  }
}

/**
 * Judges a requested volume size against a provider's storage facts: below its minimum volume
 * size, or (for providers that allocate whole GiB) not a whole GiB. A size below the minimum is
 * only that: the provider then creates a volume of the minimum size, so whether the request was
 * a whole GiB no longer matters. The Go validator's twin (tools/gitops-validate/volumesize.go)
 * runs the same vectors.
 *
 * @public
 */
export function checkVolumeSize(
  requested: string,
  limits: VolumeSizeLimits,
): VolumeSizeVerdict {
  const size = tryParse(requested);
  if (!size) return 'invalid-size';
  const min = limits.minVolumeSize ? tryParse(limits.minVolumeSize) : undefined;
  if (min && compareQuantities(size, min) < 0) return 'below-minimum';
  if (limits.wholeGiB && !isWholeGiB(size)) return 'not-whole-gib';
  return 'ok';
}
