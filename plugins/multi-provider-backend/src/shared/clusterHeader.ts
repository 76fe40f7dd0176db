import { ClusterCache } from './ClusterCache';

/** Fields of a per-cluster answer that come from the cache state. */
export function clusterHeader(cache: ClusterCache) {
  const status = cache.status();
  const header: {
    cluster: string;
    state: typeof status.state;
    staleSince?: string;
    error?: string;
    errorType?: typeof status.lastErrorType;
  } = { cluster: cache.name, state: status.state };
  if (status.staleSince) header.staleSince = status.staleSince;
  if (status.lastError) header.error = status.lastError;
  if (status.lastErrorType) header.errorType = status.lastErrorType;
  if (!cache.hasData && !header.error) {
    header.error = 'cluster not synced yet';
  }
  return header;
}
