import fc from 'fast-check';
import {
  ClusterTimeoutError,
  describeClusterError,
  isRetryable,
  parseRetryAfter,
  retryDelay,
} from './retryPolicy';

/** What @kubernetes/client-node throws for an HTTP error answer. */
const apiException = (
  code: number,
  headers: Record<string, string> = {},
  message = 'nope',
) =>
  Object.assign(new Error(`HTTP-Code: ${code}\nMessage: x\nHeaders: {}`), {
    code,
    body: { kind: 'Status', message },
    headers,
  });

const network = (code: string) =>
  Object.assign(new Error('fetch failed'), {
    cause: Object.assign(new Error(`connect ${code} 10.0.0.1:6443`), { code }),
  });

describe('retry discipline (security property 8)', () => {
  it('classifies answers and network failures', () => {
    expect(describeClusterError(apiException(401))).toMatchObject({
      type: 'unauthorized',
      status: 401,
      message: 'HTTP 401: nope',
    });
    expect(describeClusterError(apiException(403)).type).toBe('forbidden');
    expect(describeClusterError(apiException(404)).type).toBe('rejected');
    expect(describeClusterError(apiException(408)).type).toBe('timeout');
    expect(describeClusterError(apiException(410)).type).toBe('gone');
    expect(describeClusterError(apiException(429)).type).toBe('rate-limited');
    expect(describeClusterError(apiException(503)).type).toBe('server-error');
    // A watch that failed to start (client-node sets statusCode).
    expect(
      describeClusterError(
        Object.assign(new Error('Unauthorized'), { statusCode: 401 }),
      ),
    ).toMatchObject({
      type: 'unauthorized',
      message: 'HTTP 401: Unauthorized',
    });
    expect(describeClusterError(network('ECONNREFUSED'))).toMatchObject({
      type: 'unreachable',
      message: 'fetch failed (ECONNREFUSED)',
    });
    expect(describeClusterError(network('ENOTFOUND')).type).toBe('unreachable');
    expect(describeClusterError(network('ETIMEDOUT')).type).toBe('timeout');
    expect(
      describeClusterError(new ClusterTimeoutError('lab pods list: no answer'))
        .type,
    ).toBe('timeout');
    // Response headers never end up in the message.
    expect(
      describeClusterError(apiException(500, { 'x-secret-ish': 'abc' }))
        .message,
    ).not.toMatch(/abc/);
  });

  it('retries only idempotent reads, only on 408/429/5xx/network/timeout', () => {
    expect(() =>
      fc.assert(
        fc.property(
          fc.integer({ min: 400, max: 599 }),
          fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'),
          (status, method) => {
            const retried = isRetryable(
              method,
              describeClusterError(apiException(status)),
            );
            const expected =
              (method === 'GET' || method === 'HEAD') &&
              (status === 408 || status === 429 || status >= 500);
            return retried === expected;
          },
        ),
      ),
    ).not.toThrow();
    expect(
      isRetryable('GET', describeClusterError(network('ECONNRESET'))),
    ).toBe(true);
    expect(
      isRetryable('POST', describeClusterError(network('ECONNRESET'))),
    ).toBe(false);
  });

  it('parses Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfter('7')).toBe(7000);
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(undefined)).toBeUndefined();
    expect(
      describeClusterError(apiException(429, { 'Retry-After': '3' }))
        .retryAfterMs,
    ).toBe(3000);
  });

  it('backs off exponentially, honours Retry-After, never beyond the cap', () => {
    const opts = { backoffMs: 100, maxBackoffMs: 5000 };
    expect(() =>
      fc.assert(
        fc.property(
          fc.integer({ min: 0, max: 60 }),
          fc.option(fc.integer({ min: 0, max: 100_000 }), { nil: undefined }),
          (attempt, retryAfterMs) => {
            const d = retryDelay(
              attempt,
              { type: 'rate-limited', message: '', retryAfterMs },
              opts,
            );
            const exp = Math.min(
              opts.maxBackoffMs,
              100 * 2 ** Math.min(attempt, 30),
            );
            return (
              d <= opts.maxBackoffMs &&
              d >= exp &&
              d ===
                Math.min(opts.maxBackoffMs, Math.max(exp, retryAfterMs ?? 0))
            );
          },
        ),
      ),
    ).not.toThrow();
  });
});
