import { createHash, type Hash } from 'node:crypto';

/**
 * The digest algorithms of Flux's `status.artifact.digest` (`<algorithm>:<hex>`) this reader
 * verifies, with their hex length. source-controller can also emit `blake3`, which `node:crypto`
 * does not implement: such a digest is refused rather than trusted unchecked.
 */
const SUPPORTED: Record<string, number> = {
  sha256: 64,
  sha384: 96,
  sha512: 128,
};

/**
 * A parsed artifact digest.
 *
 * @public
 */
export interface ArtifactDigest {
  algorithm: 'sha256' | 'sha384' | 'sha512';
  /** Lower-case hex. */
  hex: string;
}

/**
 * Parses Flux's `<algorithm>:<hex>`; throws naming the algorithm when it is not one that can be
 * verified here, or the rule the value breaks.
 *
 * @public
 */
export function parseArtifactDigest(digest: string): ArtifactDigest {
  const colon = digest.indexOf(':');
  if (colon <= 0) {
    throw new Error(
      `digest "${digest}" is not <algorithm>:<hex> (Flux's status.artifact.digest)`,
    );
  }
  const algorithm = digest.slice(0, colon).toLowerCase();
  const hex = digest.slice(colon + 1).toLowerCase();
  const length = SUPPORTED[algorithm];
  if (length === undefined) {
    throw new Error(
      `digest algorithm "${algorithm}" is not supported: only ${Object.keys(
        SUPPORTED,
      ).join(', ')} can be verified here`,
    );
  }
  if (hex.length !== length || !/^[0-9a-f]+$/.test(hex)) {
    throw new Error(
      `digest "${digest}": a ${algorithm} digest is ${length} hex characters`,
    );
  }
  return { algorithm: algorithm as ArtifactDigest['algorithm'], hex };
}

/** The folder name an extraction of this digest is kept under: `<algorithm>-<hex>`. */
export function digestDirName(digest: ArtifactDigest): string {
  return `${digest.algorithm}-${digest.hex}`;
}

/** `<algorithm>:<hex>`, the form Flux writes. */
export function formatArtifactDigest(digest: ArtifactDigest): string {
  return `${digest.algorithm}:${digest.hex}`;
}

export function createDigestHash(digest: ArtifactDigest): Hash {
  return createHash(digest.algorithm);
}
