import http from 'node:http';
import { gunzipSync } from 'node:zlib';
import type { Duplex } from 'node:stream';

/** One request of a page load: the route's name, its path, and how its answer is judged. */
export interface PageRequest {
  route: string;
  path: string;
  /** Names what is wrong with a 200 answer's parsed body; undefined when it is right. */
  check?: (body: unknown) => string | undefined;
}

/** What became of one request. */
export interface RequestOutcome {
  route: string;
  /** HTTP status; 0 when no answer arrived (socket error, timeout). */
  status: number;
  /** From the moment the request was issued (client queue included) to its last byte. */
  ms: number;
  /** Size of the answer's JSON (decoded). */
  bytes: number;
  /** Bytes on the wire (gzipped when the server compressed the answer). */
  wireBytes: number;
  /** Socket error or timeout. */
  error?: string;
  /** A wrong answer: non-200, truncated body, invalid JSON, a failed check. */
  problem?: string;
}

/** Counts of a client's requests and sockets. */
export interface ClientCounts {
  sent: number;
  answered: number;
  socketsOpened: number;
  maxOpenSockets: number;
  maxSockets: number;
}

/**
 * An HTTP/1.1 keep-alive client with a hard cap on open sockets (`maxSockets`, like a browser's
 * per-origin limit): requests beyond the cap wait in the client, and that wait counts in their
 * latency. Every request carries the user's token and has an overall deadline.
 */
export class BoundedClient {
  readonly #agent: http.Agent;
  readonly #base: URL;
  readonly #timeoutMs: number;
  #open = 0;
  readonly counts: ClientCounts;

  constructor(options: {
    baseUrl: string;
    maxSockets: number;
    timeoutMs: number;
    token: () => string;
  }) {
    this.#base = new URL(options.baseUrl);
    this.#timeoutMs = options.timeoutMs;
    this.token = options.token;
    this.counts = {
      sent: 0,
      answered: 0,
      socketsOpened: 0,
      maxOpenSockets: 0,
      maxSockets: options.maxSockets,
    };
    const agent = new http.Agent({
      keepAlive: true,
      maxSockets: options.maxSockets,
      maxTotalSockets: options.maxSockets,
      maxFreeSockets: options.maxSockets,
    });
    // Count every socket the agent opens (the cap is the agent's; this proves it held).
    const create = (agent as any).createConnection.bind(agent) as (
      ...args: unknown[]
    ) => Duplex;
    (agent as any).createConnection = (...args: unknown[]) => {
      const socket = create(...args);
      this.counts.socketsOpened++;
      this.#open++;
      this.counts.maxOpenSockets = Math.max(
        this.counts.maxOpenSockets,
        this.#open,
      );
      socket.once('close', () => this.#open--);
      return socket;
    };
    this.#agent = agent;
  }

  readonly token: () => string;

  /** GETs `request.path` under the base URL and judges the answer. Never rejects. */
  get(request: PageRequest): Promise<RequestOutcome> {
    const started = performance.now();
    this.counts.sent++;
    return new Promise(resolve => {
      let settled = false;
      const deadline: { timer?: NodeJS.Timeout } = {};
      const finish = (outcome: Omit<RequestOutcome, 'route' | 'ms'>) => {
        if (settled) return;
        settled = true;
        clearTimeout(deadline.timer);
        resolve({
          route: request.route,
          ms: performance.now() - started,
          ...outcome,
        });
      };
      const req = http.request(
        {
          agent: this.#agent,
          host: this.#base.hostname,
          port: this.#base.port,
          path: `${this.#base.pathname.replace(/\/$/, '')}${request.path}`,
          headers: {
            accept: 'application/json',
            // As every browser does: the portal's answers are up to ~1 MiB of JSON.
            'accept-encoding': 'gzip',
            authorization: `Bearer ${this.token()}`,
          },
        },
        res => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', err =>
            finish({ status: 0, bytes: 0, wireBytes: 0, error: err.message }),
          );
          res.on('end', () => {
            this.counts.answered++;
            const wire = Buffer.concat(chunks);
            const { problem, bytes } = judge(request, res, wire);
            finish({
              status: res.statusCode ?? 0,
              bytes,
              wireBytes: wire.length,
              problem,
            });
          });
        },
      );
      deadline.timer = setTimeout(
        () => req.destroy(new Error(`timeout after ${this.#timeoutMs} ms`)),
        this.#timeoutMs,
      );
      req.on('error', err =>
        finish({ status: 0, bytes: 0, wireBytes: 0, error: err.message }),
      );
      req.end();
    });
  }

  /** Closes the kept-alive sockets. */
  close() {
    this.#agent.destroy();
  }
}

/**
 * What is wrong with an answer (no problem when it is a complete, correct 200), and the size of
 * its JSON once decoded.
 */
function judge(
  request: PageRequest,
  res: http.IncomingMessage,
  wire: Buffer,
): { problem?: string; bytes: number } {
  if (res.statusCode !== 200) {
    return {
      bytes: wire.length,
      problem: `HTTP ${res.statusCode}: ${wire
        .toString('utf8', 0, 300)
        .replace(/\s+/g, ' ')}`,
    };
  }
  const declared = res.headers['content-length'];
  if (declared !== undefined && Number(declared) !== wire.length) {
    return {
      bytes: wire.length,
      problem: `truncated: ${wire.length} of ${declared} bytes`,
    };
  }
  let body = wire;
  const encoding = res.headers['content-encoding'];
  if (encoding === 'gzip') {
    try {
      body = gunzipSync(wire);
    } catch {
      return { bytes: wire.length, problem: `not gzip (${wire.length} bytes)` };
    }
  } else if (encoding !== undefined && encoding !== 'identity') {
    return { bytes: wire.length, problem: `unasked encoding ${encoding}` };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return { bytes: body.length, problem: `not JSON (${body.length} bytes)` };
  }
  return { bytes: body.length, problem: request.check?.(parsed) };
}
