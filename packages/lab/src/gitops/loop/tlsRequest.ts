import http from 'node:http';
import https from 'node:https';

/** Status and body of one response. */
export interface TextResponse {
  status: number;
  body: string;
}

export interface TextRequest {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /**
   * PEM of the only CA an https server's certificate may chain to. Node's fetch cannot be
   * given a CA per request, and the lab's CAs must not be trusted process-wide.
   */
  ca?: string;
  timeoutMs?: number;
}

/** One HTTP(S) request; rejects on a connection or TLS failure (the error says which). */
export function requestText(
  url: string,
  opts: TextRequest = {},
): Promise<TextResponse> {
  const target = new URL(url);
  const secure = target.protocol === 'https:';
  const send = secure ? https.request : http.request;
  return new Promise((resolve, reject) => {
    const req = send(
      target,
      {
        method: opts.method ?? 'GET',
        headers: opts.headers,
        timeout: opts.timeoutMs ?? 10_000,
        ...(secure && opts.ca !== undefined ? { ca: opts.ca } : {}),
      },
      res => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () =>
      req.destroy(new Error(`${opts.method ?? 'GET'} ${url}: timed out`)),
    );
    req.on('error', reject);
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}
