import { createHash, randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { Request, Response } from 'express';

/**
 * An answer serialised once: the JSON bytes and the entity tag that names them.
 *
 * @alpha
 */
export interface JsonAnswer {
  body: Buffer;
  etag: string;
}

/**
 * A memoised answer: the value, and its JSON bytes (serialised on first use).
 *
 * @alpha
 */
export interface MemoAnswer<T> {
  value: T;
  json(): JsonAnswer;
}

// Unique per process, so a tag from before a restart never matches.
const ETAG_PREFIX = randomBytes(6).toString('hex');

/**
 * The entity tag of an answer built at `version` (the string naming everything it reads): the
 * same version gives the same tag within a process. It is also what a live signal carries
 * (docs/adr/0503-live-pages.md): opaque, a hash, never the version's contents (cluster errors
 * and stamps stay on the server).
 *
 * @alpha
 */
export function versionTag(version: string): string {
  const hash = createHash('sha256').update(version).digest('base64url');
  return `"${ETAG_PREFIX}-${hash.slice(0, 22)}"`;
}

const objectIds = new WeakMap<object, number>();
let nextObjectId = 0;

/** A number naming an object's identity (e.g. the provider registry, replaced when reloaded). */
export function objectId(o: object): number {
  let id = objectIds.get(o);
  if (id === undefined) objectIds.set(o, (id = ++nextObjectId));
  return id;
}

/**
 * Per-entity answers reused until something they depend on changes. The caller names what the
 * answer depends on in `version` (cluster headers, the stamps of the entity's pod groups in the
 * pod index, the node version, the registry, …); an answer is rebuilt only when that string
 * differs. The JSON bytes are serialised at most once per build, and their ETag (the version's
 * {@link versionTag}) lets clients revalidate with `If-None-Match` (304, no body). At most `max` entities are kept, least recently
 * used dropped first.
 *
 * @alpha
 */
export class AnswerMemo<T> {
  private readonly entries = new Map<
    string,
    { version: string; value: T; json?: JsonAnswer }
  >();
  constructor(private readonly max = 500) {}

  get(id: string, version: string, build: () => T): MemoAnswer<T> {
    let entry = this.entries.get(id);
    if (entry && entry.version === version) {
      // Most recently used last.
      this.entries.delete(id);
    } else {
      entry = { version, value: build() };
    }
    this.entries.set(id, entry);
    if (this.entries.size > this.max) {
      this.entries.delete(this.entries.keys().next().value!);
    }
    const hit = entry;
    return {
      value: hit.value,
      json: () =>
        (hit.json ??= {
          body: Buffer.from(JSON.stringify(hit.value)),
          etag: versionTag(hit.version),
        }),
    };
  }
}

// Answers smaller than this go uncompressed (the compression middleware's own threshold).
const GZIP_MIN_BYTES = 1024;
const gzipped = new WeakMap<JsonAnswer, Buffer>();

/** The answer's bytes gzipped, computed once per memoised answer and kept with it. */
function gzipOf(answer: JsonAnswer): Buffer {
  let gz = gzipped.get(answer);
  if (!gz) gzipped.set(answer, (gz = gzipSync(answer.body)));
  return gz;
}

/**
 * Sends a memoised JSON answer with its ETag; 304 without a body when the request's
 * `If-None-Match` names it. `no-cache`: clients must revalidate every time, so a cluster going
 * stale shows at once. When the request accepts gzip the bytes go gzipped, compressed once per
 * answer (`Content-Encoding` set, so the server's compression middleware leaves them alone).
 */
export function sendJsonAnswer(
  req: Request,
  res: Response,
  answer: JsonAnswer,
) {
  res.setHeader('ETag', answer.etag);
  res.setHeader('Cache-Control', 'private, no-cache');
  res.vary('Accept-Encoding');
  if (req.fresh) {
    res.status(304).end();
    return;
  }
  res.type('application/json');
  if (answer.body.length >= GZIP_MIN_BYTES && req.acceptsEncodings('gzip')) {
    res.setHeader('Content-Encoding', 'gzip');
    res.send(gzipOf(answer));
    return;
  }
  res.send(answer.body);
}
