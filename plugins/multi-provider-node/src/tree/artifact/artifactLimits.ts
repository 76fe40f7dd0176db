import { z } from 'zod';

/**
 * Bounds on one Flux source artifact. Every bound is checked while the artifact streams, so
 * neither memory nor disk grows past it whatever the archive claims.
 *
 * @public
 */
export interface ArtifactLimits {
  /** Bytes downloaded (the `.tar.gz` as served). */
  compressedBytes: number;
  /** Bytes out of gunzip: tar headers, file contents, padding and anything after the end marker. */
  uncompressedBytes: number;
  /** Regular files extracted. */
  files: number;
  /** Bytes of one file. */
  fileBytes: number;
  /** Bytes of one entry path (UTF-8), after `./` prefixes are dropped. */
  pathBytes: number;
  /** Segments of one entry path (`a/b/c.yaml` is 3). */
  pathDepth: number;
  /** Milliseconds for the whole fetch, from request to the last byte extracted. */
  timeoutMs: number;
}

/**
 * Defaults sized for a GitOps tree of YAML: the uncompressed bound is Flux's own default for
 * untarring an artifact, so a tree Flux applies with its defaults is read here too.
 *
 * @public
 */
export const DEFAULT_ARTIFACT_LIMITS: Readonly<ArtifactLimits> = Object.freeze({
  compressedBytes: 100 * 1024 * 1024,
  uncompressedBytes: 100 * 1024 * 1024,
  files: 50_000,
  fileBytes: 10 * 1024 * 1024,
  pathBytes: 1024,
  pathDepth: 32,
  timeoutMs: 120_000,
});

const positiveInt = z.number().int().positive();

const limitsSchema = z
  .object({
    compressedBytes: positiveInt,
    uncompressedBytes: positiveInt,
    files: positiveInt,
    fileBytes: positiveInt,
    pathBytes: positiveInt,
    pathDepth: positiveInt,
    timeoutMs: positiveInt,
  })
  .partial()
  .strict();

/** The defaults with `overrides` applied; an unknown or non-positive limit is refused by name. */
export function resolveArtifactLimits(
  overrides: Partial<ArtifactLimits> | undefined,
): ArtifactLimits {
  const parsed = limitsSchema.safeParse(overrides ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue.path.join('.') || String(issue.message);
    throw new TypeError(
      `artifact limits: ${field}: ${issue.message} (each limit is a positive integer)`,
    );
  }
  return { ...DEFAULT_ARTIFACT_LIMITS, ...parsed.data };
}
