import { ArchiveRefusal } from './ArchiveRefusal';
import type { ArtifactLimits } from './artifactLimits';

/** The longest file name most filesystems accept; refused here with a clear message instead. */
const MAX_SEGMENT_BYTES = 255;

/**
 * The archive path as a clean relative POSIX path (`./a//b/` → `a/b`), or `undefined` for the
 * archive root itself (`./`). Refuses what could land outside the extraction folder or mean
 * different files on different systems: absolute paths, drive letters, `..` segments,
 * backslashes, NUL bytes; and paths over the length and depth limits.
 */
export function normalizeEntryPath(
  raw: string,
  limits: Pick<ArtifactLimits, 'pathBytes' | 'pathDepth'>,
): string | undefined {
  const refuse = (rule: string): never => {
    throw new ArchiveRefusal('hostile', `entry path ${rule}`, raw);
  };
  if (raw.includes('\0')) refuse('contains a NUL byte');
  if (raw.includes('\\')) refuse('contains a backslash');
  if (raw.startsWith('/')) refuse('is absolute');
  if (/^[A-Za-z]:/.test(raw)) refuse('starts with a drive letter');
  const segments = raw.split('/').filter(s => s !== '' && s !== '.');
  if (segments.includes('..'))
    refuse('has a ".." segment (leaves the artifact)');
  if (segments.length === 0) return undefined;
  const clean = segments.join('/');
  const bytes = Buffer.byteLength(clean, 'utf8');
  if (bytes > limits.pathBytes) {
    throw new ArchiveRefusal(
      'limit',
      `entry path is ${bytes} bytes, over the limit pathBytes=${limits.pathBytes}`,
      raw,
    );
  }
  if (segments.length > limits.pathDepth) {
    throw new ArchiveRefusal(
      'limit',
      `entry path is ${segments.length} levels deep, over the limit pathDepth=${limits.pathDepth}`,
      raw,
    );
  }
  for (const segment of segments) {
    if (Buffer.byteLength(segment, 'utf8') > MAX_SEGMENT_BYTES) {
      refuse(`has a name over ${MAX_SEGMENT_BYTES} bytes`);
    }
  }
  return clean;
}
