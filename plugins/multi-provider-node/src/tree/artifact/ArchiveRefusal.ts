/**
 * Thrown inside the archive reader and extractor, which do not know the artifact URL;
 * `fetchArtifact` turns it into an `ArtifactFetchError` naming the URL.
 */
export class ArchiveRefusal extends Error {
  readonly code: 'limit' | 'hostile' | 'truncated';
  entry?: string;

  constructor(
    code: 'limit' | 'hostile' | 'truncated',
    reason: string,
    entry?: string,
  ) {
    super(reason);
    this.name = 'ArchiveRefusal';
    this.code = code;
    this.entry = entry;
  }
}
