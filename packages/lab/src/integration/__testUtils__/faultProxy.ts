import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** What the proxy does with a request. */
export type Fault =
  /** Forwarded to the API server, the answer streamed back (watches included). */
  | { kind: 'pass' }
  /** Held `delayMs`, then forwarded: slower than the backend's request timeout. */
  | { kind: 'slow'; delayMs: number }
  /** Answered by the proxy with this status and a Kubernetes Status body. */
  | { kind: 'status'; status: number; retryAfterSeconds?: number }
  /** The connection is reset (TCP RST), no answer. */
  | { kind: 'reset' }
  /** 200, then a line that is not a watch event; the connection stays open. */
  | { kind: 'garbage' }
  /** Held until `release()`, then forwarded. */
  | { kind: 'hold' };

/** One request as the proxy saw it. */
export interface ProxyRequest {
  /** Arrival, ms since the epoch. */
  at: number;
  method: string;
  path: string;
  query: URLSearchParams;
  watch: boolean;
  fault: Fault['kind'];
  /** The status the client got (the API server's when forwarded); undefined for reset/none yet. */
  status?: number;
  /** Why forwarding failed, when it did. */
  error?: string;
}

interface Rule {
  fault: Fault;
  when: (r: ProxyRequest) => boolean;
  times: number;
}

const REASONS: Record<number, string> = {
  401: 'Unauthorized',
  403: 'Forbidden',
  408: 'Timeout',
  429: 'TooManyRequests',
  500: 'InternalError',
  502: 'BadGateway',
  503: 'ServiceUnavailable',
};

/** A self-signed certificate for 127.0.0.1 (openssl), so the backend talks TLS to the proxy. */
function selfSignedCert() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudlab-fault-proxy-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=cloudlab-fault-proxy',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        path.join(dir, 'key.pem'),
        '-out',
        path.join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    return {
      key: fs.readFileSync(path.join(dir, 'key.pem')),
      cert: fs.readFileSync(path.join(dir, 'cert.pem')),
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A fault-injecting HTTPS proxy on loopback in front of the lab's API server: real sockets, real
 * TLS on both sides. Each request meets the first matching rule (`set`, `add`); unmatched requests
 * pass through. Every request is logged with its arrival time and the status returned, so a test
 * reads the backend's retry discipline off the wire.
 */
export async function faultProxy(target: URL, targetCa: Buffer) {
  const { key, cert } = selfSignedCert();
  const log: ProxyRequest[] = [];
  let rules: Rule[] = [];
  const held: Array<() => void> = [];
  const sockets = new Set<net.Socket>();
  /** Answers being streamed back (running watches), so `freezeStreams` can silence them. */
  const streams = new Set<{
    answer: http.IncomingMessage;
    res: http.ServerResponse;
  }>();
  // A connection per request: a request held across an API server restart meets the new one.
  const upstreamAgent = new https.Agent({ ca: targetCa, keepAlive: false });

  const forward = (
    req: http.IncomingMessage,
    res: http.ServerResponse,
    entry: ProxyRequest,
  ) => {
    const headers = { ...req.headers, host: target.host };
    const upstream = https.request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers,
        agent: upstreamAgent,
      },
      answer => {
        entry.status = answer.statusCode;
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        // A watch's headers go out at once, not with its first event.
        res.flushHeaders();
        answer.pipe(res);
        answer.on('error', () => res.destroy());
        const stream = { answer, res };
        streams.add(stream);
        res.on('close', () => streams.delete(stream));
      },
    );
    upstream.on('error', err => {
      entry.error = err.message;
      res.destroy();
    });
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  };

  const server = https.createServer({ key, cert }, (req, res) => {
    const url = new URL(req.url ?? '/', 'https://proxy');
    const entry: ProxyRequest = {
      at: Date.now(),
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      watch: url.searchParams.get('watch') === 'true',
      fault: 'pass',
    };
    const rule = rules.find(r => r.times > 0 && r.when(entry));
    const fault: Fault = rule?.fault ?? { kind: 'pass' };
    if (rule) rule.times -= 1;
    entry.fault = fault.kind;
    log.push(entry);
    switch (fault.kind) {
      case 'pass':
        forward(req, res, entry);
        return;
      case 'slow': {
        const timer = setTimeout(() => forward(req, res, entry), fault.delayMs);
        res.on('close', () => clearTimeout(timer));
        return;
      }
      case 'hold':
        held.push(() => forward(req, res, entry));
        return;
      case 'status': {
        entry.status = fault.status;
        const reason = REASONS[fault.status] ?? 'Failure';
        const body = JSON.stringify({
          kind: 'Status',
          apiVersion: 'v1',
          metadata: {},
          status: 'Failure',
          message: `fault proxy: ${fault.status} ${reason}`,
          reason,
          code: fault.status,
        });
        const h: http.OutgoingHttpHeaders = {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
        };
        if (fault.retryAfterSeconds !== undefined)
          h['retry-after'] = String(fault.retryAfterSeconds);
        res.writeHead(fault.status, h);
        res.end(body);
        return;
      }
      case 'reset': {
        // The TCP socket under the TLS one: an RST on the wire, as a crashed peer sends.
        const tcp =
          (req.socket as net.Socket & { _parent?: net.Socket })._parent ??
          req.socket;
        tcp.resetAndDestroy();
        return;
      }
      case 'garbage':
        entry.status = 200;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('<html>\x00\x01 upstream hiccup {"type":\n');
        // Left open: a client that skips the line would sit on a dead stream.
        return;
      default:
        throw new Error(`unknown fault ${(fault as Fault).kind}`);
    }
  });
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('tlsClientError', () => undefined);
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;

  return {
    url: `https://127.0.0.1:${port}`,
    /** The proxy's certificate, base64: the `caData` of the proxied cluster. */
    caData: cert.toString('base64'),
    log,
    /** Replaces the rules: `fault` for the requests `when` selects (all by default), `times` of them. */
    set(
      fault: Fault,
      when: (r: ProxyRequest) => boolean = () => true,
      times = Infinity,
    ) {
      rules = [{ fault, when, times }];
    },
    /** Every open connection dropped (running watches end); new ones meet the rules. */
    dropConnections() {
      for (const s of sockets) s.destroy();
      sockets.clear();
    },
    /**
     * Every answer being streamed (the running watches) stops reaching the client while its
     * connection stays open: what a half-open connection or a frozen server looks like from the
     * client. Returns how many were silenced.
     */
    freezeStreams() {
      for (const { answer, res } of streams) {
        answer.unpipe(res);
        answer.pause();
      }
      const n = streams.size;
      streams.clear();
      return n;
    },
    /** Requests held so far and not yet released. */
    heldCount: () => held.length,
    /** Forwards the held requests. */
    release() {
      for (const go of held.splice(0)) go();
    },
    async close() {
      rules = [];
      held.splice(0);
      for (const s of sockets) s.destroy();
      upstreamAgent.destroy();
      await new Promise(r => server.close(r));
    },
  };
}

/** The proxy's handle. */
export type FaultProxy = Awaited<ReturnType<typeof faultProxy>>;

/**
 * Gaps (ms) between consecutive requests of one path, lists only (watches excluded), from the
 * proxy's log: what the backend's backoff looks like on the wire.
 */
export function listAttempts(log: ProxyRequest[], p: string, since = 0) {
  const at = log
    .filter(r => r.path === p && !r.watch && r.at >= since)
    .map(r => r.at);
  return { count: at.length, gaps: at.slice(1).map((t, i) => t - at[i]) };
}
