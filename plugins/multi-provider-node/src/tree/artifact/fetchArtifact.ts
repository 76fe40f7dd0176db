import { createReadStream, createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { PARTIAL_PREFIX, placeRevision } from '../RevisionFolders';
import type { TreeManifest } from '../treeManifest';
import { ArchiveRefusal } from './ArchiveRefusal';
import {
  createDigestHash,
  digestDirName,
  formatArtifactDigest,
  parseArtifactDigest,
  type ArtifactDigest,
} from './artifactDigest';
import { ArtifactFetchError } from './ArtifactFetchError';
import { type ArtifactLimits, resolveArtifactLimits } from './artifactLimits';
import { extractTarEntries, type ExtractedTree } from './extractTarEntries';
import { readTarEntries } from './readTarEntries';

/** A PAX header or GNU long name larger than this is not a path any tree needs. */
const MAX_META_BYTES = 64 * 1024;

/**
 * Options of {@link fetchArtifact}.
 *
 * @public
 */
export interface FetchArtifactOptions {
  /** Flux's `status.artifact.url` (its host rewritten by the caller where the portal reaches it differently). */
  url: string;
  /** Flux's `status.artifact.digest`: `<algorithm>:<hex>`. */
  digest: string;
  /** The folder the extraction is kept under, as `<algorithm>-<hex>`. */
  targetDir: string;
  limits?: Partial<ArtifactLimits>;
  /** The `fetch` to use; the global one by default. */
  fetch?: typeof fetch;
  signal?: AbortSignal;
}

/**
 * A verified, complete extraction of a Flux source artifact.
 *
 * @public
 */
export interface FetchedArtifact {
  /** `<targetDir>/<algorithm>-<hex>`. */
  dir: string;
  /** `<algorithm>:<hex>`, lower case. */
  digest: string;
  /** Regular files written. */
  files: number;
  /** Bytes of file contents written. */
  bytes: number;
  /** Symbolic links the archive held, skipped as Flux's controllers skip them. */
  skippedSymlinks: string[];
  /** Size and content hash of every file, recorded while extracting (`TreeManifest`). */
  manifest?: TreeManifest;
}

async function* metered(
  source: AsyncIterable<Buffer>,
  limit: number,
  onChunk: (chunk: Buffer) => void,
  refuse: (total: number) => Error,
): AsyncGenerator<Buffer> {
  let total = 0;
  for await (const chunk of source) {
    total += chunk.length;
    if (total > limit) throw refuse(total);
    onChunk(chunk);
    yield chunk;
  }
}

function isZlibError(e: unknown): e is NodeJS.ErrnoException {
  const code = (e as NodeJS.ErrnoException)?.code;
  return typeof code === 'string' && code.startsWith('Z_');
}

/**
 * Downloads a Flux source artifact (a `.tar.gz`), verifies its digest and extracts it to
 * `<targetDir>/<algorithm>-<hex>`. The download streams through the hash into
 * `<targetDir>/.partial-<random>/`; once the digest matched, it streams through gunzip and the
 * tar reader into a folder beside it, renamed into place only when the archive was complete. The
 * partial folder is removed on any failure, so the final folder exists only for a verified
 * artifact. Every limit of {@link ArtifactLimits} is enforced while
 * streaming. Hostile archives (absolute or `..` paths, hard links, devices, duplicate paths,
 * oversized files, gzip bombs, truncation) refuse the whole artifact with an
 * {@link ArtifactFetchError} naming the URL, the entry and the rule or limit.
 *
 * @public
 */
export async function fetchArtifact(
  options: FetchArtifactOptions,
): Promise<FetchedArtifact> {
  const { url } = options;
  const limits = resolveArtifactLimits(options.limits);
  let digest: ArtifactDigest;
  try {
    digest = parseArtifactDigest(options.digest);
  } catch (e) {
    throw new ArtifactFetchError(
      'unsupported-digest',
      url,
      (e as Error).message,
    );
  }
  const targetDir = path.resolve(options.targetDir);
  const finalDir = path.join(targetDir, digestDirName(digest));
  await fs.mkdir(targetDir, { recursive: true });
  const partialDir = await fs.mkdtemp(path.join(targetDir, PARTIAL_PREFIX));
  const archivePath = path.join(partialDir, 'artifact.tar.gz');
  const treeDir = path.join(partialDir, 'tree');

  const timeout = AbortSignal.timeout(limits.timeoutMs);
  const signal = options.signal
    ? AbortSignal.any([options.signal, timeout])
    : timeout;

  try {
    await download(
      url,
      digest,
      archivePath,
      limits,
      options.fetch ?? fetch,
      signal,
    );
    const extracted = await extract(archivePath, treeDir, limits, signal);
    await placeRevision(treeDir, finalDir);
    return {
      dir: finalDir,
      digest: formatArtifactDigest(digest),
      ...extracted,
    };
  } catch (e) {
    if (e instanceof ArtifactFetchError) throw e;
    if (timeout.aborted) {
      throw new ArtifactFetchError(
        'timeout',
        url,
        `not complete within timeoutMs=${limits.timeoutMs}`,
        { cause: e },
      );
    }
    if (options.signal?.aborted) {
      throw new ArtifactFetchError('aborted', url, 'the fetch was aborted', {
        cause: e,
      });
    }
    if (e instanceof ArchiveRefusal) {
      const where = e.entry ? `entry "${e.entry}": ` : '';
      throw new ArtifactFetchError(
        e.code,
        url,
        `refused: ${where}${e.message}`,
        {
          entry: e.entry,
          cause: e,
        },
      );
    }
    if (isZlibError(e)) {
      const truncated = e.code === 'Z_BUF_ERROR';
      throw new ArtifactFetchError(
        truncated ? 'truncated' : 'hostile',
        url,
        truncated
          ? 'refused: the gzip stream is truncated'
          : `refused: not a valid gzip stream (${e.message})`,
        { cause: e },
      );
    }
    throw new ArtifactFetchError('network', url, (e as Error).message, {
      cause: e,
    });
  } finally {
    await fs.rm(partialDir, { recursive: true, force: true });
  }
}

/**
 * Saves the download to `archivePath`, hashing it on the way, and checks the digest. The archive
 * is spooled rather than extracted from the socket, so a slow disk never holds the server's
 * connection open (an artifact server may close a connection it considers idle while the client
 * is still reading), and no byte is parsed before the digest proved it is what Flux produced.
 */
async function download(
  url: string,
  digest: ArtifactDigest,
  archivePath: string,
  limits: ArtifactLimits,
  fetchFn: typeof fetch,
  signal: AbortSignal,
): Promise<void> {
  // The digest is of the bytes as stored: ask for them without a transfer encoding.
  const response = await fetchFn(url, {
    signal,
    headers: { 'accept-encoding': 'identity' },
  });
  if (!response.ok || !response.body) {
    await response.body?.cancel().catch(() => undefined);
    throw new ArtifactFetchError(
      'http',
      url,
      `HTTP ${response.status}${
        response.statusText ? ` ${response.statusText}` : ''
      }${response.ok ? ' without a body' : ''}`,
    );
  }
  const declared = Number(response.headers.get('content-length'));
  if (declared > limits.compressedBytes) {
    await response.body.cancel().catch(() => undefined);
    throw new ArtifactFetchError(
      'limit',
      url,
      `refused: Content-Length ${declared} is over the limit compressedBytes=${limits.compressedBytes}`,
    );
  }

  const hash = createDigestHash(digest);
  await pipeline(
    Readable.fromWeb(response.body as import('node:stream/web').ReadableStream),
    (source: AsyncIterable<Buffer>) =>
      metered(
        source,
        limits.compressedBytes,
        chunk => hash.update(chunk),
        total =>
          new ArchiveRefusal(
            'limit',
            `the download passed ${total} bytes, over the limit compressedBytes=${limits.compressedBytes}`,
          ),
      ),
    createWriteStream(archivePath, { flags: 'wx', mode: 0o600 }),
  );

  const actual = hash.digest('hex');
  if (actual !== digest.hex) {
    throw new ArtifactFetchError(
      'digest',
      url,
      `refused: digest mismatch: expected ${formatArtifactDigest(
        digest,
      )}, the download is ${digest.algorithm}:${actual}`,
    );
  }
}

/** Gunzips and extracts a verified archive into `treeDir`, every limit checked while streaming. */
async function extract(
  archivePath: string,
  treeDir: string,
  limits: ArtifactLimits,
  signal: AbortSignal,
): Promise<ExtractedTree> {
  await fs.mkdir(treeDir);
  let extracted: ExtractedTree | undefined;
  await pipeline(
    createReadStream(archivePath),
    createGunzip(),
    async (tar: AsyncIterable<Buffer>) => {
      const stream = metered(
        tar,
        limits.uncompressedBytes,
        () => undefined,
        () =>
          new ArchiveRefusal(
            'limit',
            `the archive unpacks to more than uncompressedBytes=${limits.uncompressedBytes} bytes`,
          ),
      );
      extracted = await extractTarEntries(
        readTarEntries(stream, { maxMetaBytes: MAX_META_BYTES }),
        treeDir,
        limits,
      );
      // Read on to the end of the gzip stream, still under the uncompressed limit, so a stream
      // cut after the end-of-archive marker is caught as truncated too.
      while (!(await stream.next()).done);
    },
    { signal },
  );
  return extracted!;
}
