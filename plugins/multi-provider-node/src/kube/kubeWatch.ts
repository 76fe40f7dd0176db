import http from 'node:http';
import https from 'node:https';
import { KubeConfig } from '@kubernetes/client-node';
import { WatchEvent } from '../extensions/clusterSource';

/** A request to the API server answered other than 200: its status, headers (so
 * `Retry-After` is honoured) and the Status message, never the body itself. */
export class KubeHttpError extends Error {
  name = 'KubeHttpError';
  constructor(
    message: string,
    readonly statusCode?: number,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }
}

/** A watch that failed before or while streaming: the HTTP status and headers when there were any. */
export class WatchError extends KubeHttpError {
  name = 'WatchError';
}

/** A 200 answer whose stream is not the watch protocol (a broken proxy, a corrupted stream). */
export class GarbledStreamError extends WatchError {
  name = 'GarbledStreamError';
}

const WATCH_TYPES = new Set([
  'ADDED',
  'MODIFIED',
  'DELETED',
  'BOOKMARK',
  'ERROR',
]);

/** Longest line kept while waiting for its end: a watch event is one line, a node a few kB. */
const MAX_LINE_BYTES = 16 * 1024 * 1024;

function flatHeaders(h: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) {
    if (typeof v === 'string') out[k] = v;
    else if (Array.isArray(v)) out[k] = v.join(', ');
  }
  return out;
}

/** The URL and request options of `path` on the kubeconfig's current cluster. */
async function target(
  kc: KubeConfig,
  path: string,
  query: Record<string, string>,
) {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('no current cluster in the kubeconfig');
  const url = new URL(cluster.server.replace(/\/$/, '') + path);
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
  const opts: https.RequestOptions = {};
  await kc.applyToHTTPSOptions(opts);
  const transport = url.protocol === 'http:' ? http : https;
  if (url.protocol === 'http:') delete opts.agent;
  return { url, opts, transport };
}

/** Reads a non-200 answer into `make(Status message or status line, status, headers)`. */
function statusError<E extends Error>(
  res: http.IncomingMessage,
  make: (
    message: string,
    statusCode?: number,
    headers?: Record<string, string>,
  ) => E,
): Promise<E> {
  return new Promise((resolve, reject) => {
    let body = '';
    res.setEncoding('utf8');
    res.on('data', chunk => {
      if (body.length < 4096) body += chunk;
    });
    res.on('end', () => {
      // The Status message when the body is one; never the body itself.
      let message = res.statusMessage || `HTTP ${res.statusCode}`;
      try {
        message = JSON.parse(body).message ?? message;
      } catch {
        // not a Status object: keep the status line
      }
      resolve(make(message, res.statusCode, flatHeaders(res.headers)));
    });
    res.on('error', reject);
  });
}

/**
 * One page of a list, as the API server's JSON (no typed-model conversion).
 *
 * @public
 */
export interface KubeListPage<T> {
  items: T[];
  metadata?: { resourceVersion?: string; continue?: string };
}

/**
 * GETs one page of the list at `path` (`limit`, `continue`) and parses it as plain JSON. The
 * client library's typed calls convert every field of every object through its model
 * serialiser, which dominated a cold sync of 20,000 pods; the caches trim each object to a few
 * fields anyway (the watch path has always read plain JSON). Fails with `KubeHttpError` (status,
 * headers, Status message) on any answer but 200.
 *
 * @public
 */
export async function kubeList<T>(
  kc: KubeConfig,
  path: string,
  query: Record<string, string>,
): Promise<KubeListPage<T>> {
  const { url, opts, transport } = await target(kc, path, query);
  return new Promise((resolve, reject) => {
    const req = transport.request(
      url,
      {
        ...opts,
        method: 'GET',
        // The kubeconfig's headers carry the token: add to them, never replace them.
        headers: { ...opts.headers, accept: 'application/json' },
      },
      res => {
        if (res.statusCode !== 200) {
          statusError(res, (m, c, h) => new KubeHttpError(m, c, h)).then(
            reject,
            reject,
          );
          return;
        }
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          try {
            const page = JSON.parse(Buffer.concat(chunks).toString('utf8'));
            if (!page || !Array.isArray(page.items))
              throw new Error(`${path}: the answer is not a list`);
            resolve(page);
          } catch (err) {
            reject(err);
          }
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/**
 * Watches `path` of the configured cluster (`?watch=true` plus `query`). Unlike client-node's
 * `Watch`, nothing fails silently: a non-200 answer fails with its status, headers (so
 * `Retry-After` is honoured) and Status message; a line that is not a watch event ends the
 * watch with an error instead of being skipped while the stream looks alive.
 *
 * Resolves once the server answered 200 (the watch runs); rejects when it did not. `onDone`
 * is called exactly once, when a running watch ends: without an argument for a clean close by
 * the server, with the error otherwise. `stop()` ends it without calling `onDone`.
 */
export async function kubeWatch<T>(
  kc: KubeConfig,
  path: string,
  query: Record<string, string>,
  onEvent: (event: WatchEvent<T>) => void,
  onDone: (err?: unknown) => void,
): Promise<{ stop(): void }> {
  const { url, opts, transport } = await target(kc, path, {
    watch: 'true',
    ...query,
  });
  const controller = new AbortController();
  let stopped = false;
  let done = false;

  return new Promise((resolve, reject) => {
    const req = transport.request(
      url,
      { ...opts, method: 'GET', signal: controller.signal },
      res => {
        if (res.statusCode !== 200) {
          statusError(res, (m, c, h) => new WatchError(m, c, h)).then(
            reject,
            reject,
          );
          return;
        }
        const finish = (err?: unknown) => {
          if (done) return;
          done = true;
          controller.abort();
          if (!stopped) onDone(err);
        };
        let buffer = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buffer += chunk;
          let nl = buffer.indexOf('\n');
          while (nl >= 0 && !done) {
            const line = buffer.slice(0, nl).trim();
            buffer = buffer.slice(nl + 1);
            nl = buffer.indexOf('\n');
            if (!line) continue;
            let event: WatchEvent<T> | undefined;
            try {
              event = JSON.parse(line);
            } catch {
              event = undefined;
            }
            if (!event || !WATCH_TYPES.has(event.type) || !event.object) {
              finish(
                new GarbledStreamError(
                  `garbled watch stream: not a watch event (${line.slice(
                    0,
                    60,
                  )})`,
                ),
              );
              return;
            }
            onEvent(event);
          }
          if (buffer.length > MAX_LINE_BYTES) {
            finish(new GarbledStreamError('watch event larger than 16 MiB'));
          }
        });
        res.on('end', () => {
          if (buffer.trim()) {
            finish(
              new GarbledStreamError('watch stream ended inside an event'),
            );
          } else finish();
        });
        res.on('error', err => finish(err));
        res.on('close', () => {
          if (!res.complete) finish(new WatchError('watch stream cut'));
          else finish();
        });
        resolve({
          stop() {
            stopped = true;
            done = true;
            controller.abort();
          },
        });
      },
    );
    req.on('error', err => {
      if (stopped) return;
      // Before the answer: the start failed. After it: the response handlers report.
      reject(err);
    });
    req.end();
  });
}
