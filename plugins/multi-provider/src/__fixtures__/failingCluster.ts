import type { ClusterErrorType } from '@cloudlab/plugin-multi-provider-common';

/** The backend's words for each error kind, as the cache records them. */
export const BACKEND_ERRORS: Record<ClusterErrorType, string> = {
  unreachable: 'connect ECONNREFUSED 127.0.0.1:1',
  timeout: 'request timed out after 10000 ms',
  unauthorized: 'HTTP 401 Unauthorized',
  forbidden: 'HTTP 403: pods is forbidden',
  'rate-limited': 'HTTP 429 Too Many Requests',
  'server-error': 'HTTP 503 Service Unavailable',
  gone: 'HTTP 410 Gone: too old resource version',
  rejected: 'HTTP 404 Not Found',
  unknown: 'something odd',
};

/**
 * `cluster` as the backend answers for a cluster that never synced: the same shape, every list
 * empty, `state: error` and the typed error.
 */
export function failingCluster<T extends { cluster: string }>(
  healthy: T,
  name: string,
  errorType: ClusterErrorType,
): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(healthy)) {
    out[k] = Array.isArray(v) ? [] : v;
  }
  delete out.staleSince;
  return {
    ...(out as T),
    cluster: name,
    state: 'error',
    error: BACKEND_ERRORS[errorType],
    errorType,
  };
}
