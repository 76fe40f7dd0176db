/**
 * Why an artifact was refused, so a caller can tell a retryable failure (`http`, `timeout`,
 * `network`) from an artifact that will never be read (`digest`, `limit`, `hostile`, `truncated`,
 * `unsupported-digest`).
 *
 * @public
 */
export type ArtifactFetchErrorCode =
  | 'http'
  | 'network'
  | 'timeout'
  | 'aborted'
  | 'unsupported-digest'
  | 'digest'
  | 'limit'
  | 'hostile'
  | 'truncated';

/**
 * A Flux source artifact that could not be fetched or was refused. The message always names the
 * artifact URL, and where it applies the entry and the limit or rule.
 *
 * @public
 */
export class ArtifactFetchError extends Error {
  readonly code: ArtifactFetchErrorCode;
  readonly url: string;
  /** The archive entry concerned, when one is. */
  readonly entry?: string;

  constructor(
    code: ArtifactFetchErrorCode,
    url: string,
    reason: string,
    options?: { entry?: string; cause?: unknown },
  ) {
    super(`artifact ${url}: ${reason}`, { cause: options?.cause });
    this.name = 'ArtifactFetchError';
    this.code = code;
    this.url = url;
    this.entry = options?.entry;
  }
}
