import { ClusterErrorType } from '@cloudlab/plugin-multi-provider-common';

/** A failed call to a cluster, classified. */
export interface ClusterError {
  type: ClusterErrorType;
  /** HTTP status, when the cluster answered. */
  status?: number;
  /** In words, without response headers or bodies beyond the Status message. */
  message: string;
  /** From a `Retry-After` header, when present. */
  retryAfterMs?: number;
}

/** Only idempotent reads are ever retried. The cache issues nothing else. */
const IDEMPOTENT_READS = new Set(['GET', 'HEAD']);

const NETWORK_TIMEOUT = new Set([
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
]);

/** Parses `Retry-After` (delta seconds or an HTTP date) into milliseconds from `now`. */
export function parseRetryAfter(
  value: string | undefined,
  now: number = Date.now(),
): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function header(headers: unknown, name: string): string | undefined {
  if (!headers || typeof headers !== 'object') return undefined;
  if (typeof (headers as Headers).get === 'function')
    return (headers as Headers).get(name) ?? undefined;
  const entry = Object.entries(headers as Record<string, unknown>).find(
    ([k]) => k.toLowerCase() === name,
  );
  return typeof entry?.[1] === 'string' ? entry[1] : undefined;
}

function typeOfStatus(status: number): ClusterErrorType {
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 408) return 'timeout';
  if (status === 410) return 'gone';
  if (status === 429) return 'rate-limited';
  if (status >= 500) return 'server-error';
  return 'rejected';
}

/** Network error codes anywhere in the error's cause chain. */
function networkCode(err: unknown): string | undefined {
  let e: any = err;
  for (let depth = 0; e && depth < 5; depth++) {
    if (typeof e.code === 'string' && /^[A-Z_]+$/.test(e.code)) return e.code;
    e = e.cause;
  }
  return undefined;
}

/**
 * Classifies what a cluster call threw: an `ApiException` (`code`, `body`, `headers`), a watch
 * failure (`statusCode`), a watch `ERROR` Status object (`code`, `message`), a network error
 * (`code` such as ECONNREFUSED, possibly under `cause`) or a timeout of ours.
 */
export function describeClusterError(err: unknown): ClusterError {
  const e = (err ?? {}) as any;
  let status: number | undefined;
  if (typeof e.code === 'number') status = e.code;
  else if (typeof e.statusCode === 'number') status = e.statusCode;
  if (status !== undefined && status >= 400) {
    const statusMessage =
      (typeof e.body === 'object' && e.body?.message) ||
      (typeof e.body === 'string' && e.body.slice(0, 200)) ||
      (typeof e.message === 'string' && !e.message.startsWith('HTTP-Code')
        ? e.message
        : '');
    const out: ClusterError = {
      type: typeOfStatus(status),
      status,
      message: `HTTP ${status}${statusMessage ? `: ${statusMessage}` : ''}`,
    };
    const retryAfterMs = parseRetryAfter(header(e.headers, 'retry-after'));
    if (retryAfterMs !== undefined) out.retryAfterMs = retryAfterMs;
    return out;
  }
  let message: string;
  if (err instanceof Error) message = err.message;
  else message = typeof err === 'string' ? err : JSON.stringify(err);
  if (e.name === 'ClusterTimeoutError') return { type: 'timeout', message };
  // A 200 whose body is not the API's protocol: the server side is broken, retried as a 5xx.
  if (e.name === 'GarbledStreamError') return { type: 'server-error', message };
  const code = networkCode(err);
  if (code) {
    return {
      type: NETWORK_TIMEOUT.has(code) ? 'timeout' : 'unreachable',
      message: message.includes(code) ? message : `${message} (${code})`,
    };
  }
  // No HTTP status: the request never got an answer (refused, reset, DNS, TLS handshake).
  return { type: 'unreachable', message };
}

/**
 * Whether a failed call may be retried: only idempotent reads, and only on 408, 429, 5xx, a
 * timeout or a network error. 401, 403 and other 4xx answers are not retried.
 */
export function isRetryable(method: string, error: ClusterError): boolean {
  if (!IDEMPOTENT_READS.has(method.toUpperCase())) return false;
  return (
    error.type === 'unreachable' ||
    error.type === 'timeout' ||
    error.type === 'rate-limited' ||
    error.type === 'server-error'
  );
}

/** Backoff timing. */
export interface BackoffOptions {
  /** First delay; doubles per attempt. */
  backoffMs: number;
  /** Cap of the delay, `Retry-After` included. */
  maxBackoffMs: number;
}

/**
 * Delay before retry number `attempt` (0 = first retry): exponential from `backoffMs`, at least
 * what `Retry-After` asks, never more than `maxBackoffMs`.
 */
export function retryDelay(
  attempt: number,
  error: ClusterError,
  options: BackoffOptions,
): number {
  const exponential = options.backoffMs * 2 ** Math.min(attempt, 30);
  return Math.min(
    options.maxBackoffMs,
    Math.max(exponential, error.retryAfterMs ?? 0),
  );
}

/** Thrown when a cluster call takes longer than allowed. */
export class ClusterTimeoutError extends Error {
  name = 'ClusterTimeoutError';
}

/** Rejects with {@link ClusterTimeoutError} when `promise` does not settle within `ms`. */
export function withTimeout<T>(
  promise: Promise<T>,
  ms: number,
  what: string,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(new ClusterTimeoutError(`${what}: no answer within ${ms} ms`)),
      ms,
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
