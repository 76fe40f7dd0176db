import type {
  ClusterErrorType,
  ClusterState,
} from '@cloudlab/plugin-multi-provider-common';

/** What a failing cluster means for a person, and what to do about it. */
export interface ClusterProblemText {
  /** Short label of the error kind, e.g. `token refused (401)`. */
  label: string;
  /** What happened, in words. */
  explanation: string;
  /** What to check or change. */
  hint: string;
}

const CLUSTER_CONFIG = 'kubernetes.clusterLocatorMethods[].clusters[]';

/** One explanation and fix per error kind of `clusterErrorTypeSchema`. */
export const CLUSTER_PROBLEMS: Record<ClusterErrorType, ClusterProblemText> = {
  unreachable: {
    label: 'unreachable',
    explanation:
      'The backend could not open a connection to the API server (connection refused, DNS, TLS handshake or reset).',
    hint: `Check ${CLUSTER_CONFIG}.url, that the API server runs and is reachable from the backend, and caData / skipTLSVerify for TLS errors.`,
  },
  timeout: {
    label: 'timed out',
    explanation:
      'The API server did not answer in time, or a watch stayed silent (no event, no bookmark) past the idle deadline, as a frozen API server or a half-open connection does.',
    hint: 'Check the API server load and the network between the backend and the cluster; the cache keeps retrying with backoff.',
  },
  unauthorized: {
    label: 'token refused (401)',
    explanation: 'The API server refused the ServiceAccount token.',
    hint: `Check ${CLUSTER_CONFIG}.serviceAccountToken: expired, revoked, or issued by another cluster.`,
  },
  forbidden: {
    label: 'forbidden (403)',
    explanation:
      'The token is valid but its ServiceAccount may not list or watch what the portal reads.',
    hint: 'Bind the ClusterRole cloudlab-portal-read (gitops/platform/rbac) to the ServiceAccount whose token the backend uses.',
  },
  'rate-limited': {
    label: 'rate-limited (429)',
    explanation:
      'The API server is throttling the backend (API Priority and Fairness).',
    hint: 'Nothing is lost: the cache retries with backoff. If it persists, give the portal ServiceAccount its own FlowSchema and priority level.',
  },
  'server-error': {
    label: 'server error (5xx)',
    explanation: 'The API server answered with a server error.',
    hint: 'Check the API server and etcd health (kube-apiserver log, /readyz).',
  },
  gone: {
    label: 'relisting (410)',
    explanation:
      'The watch fell too far behind (resourceVersion compacted); the cache is listing again.',
    hint: 'Nothing to do: it recovers on its own. If it repeats, etcd compaction may be very aggressive.',
  },
  rejected: {
    label: 'request rejected (4xx)',
    explanation: 'The API server rejected a request of the cache.',
    hint: 'A resource the portal reads may not be served by this cluster version; see the backend log for the request.',
  },
  unknown: {
    label: 'failing',
    explanation: 'Talking to the cluster failed in an unexpected way.',
    hint: 'See the backend log for this cluster.',
  },
};

/** The per-cluster fields every answer carries (`clusterAnswerSchema`). */
export interface ClusterAnswerHeader {
  cluster: string;
  state: ClusterState;
  staleSince?: string;
  error?: string;
  errorType?: ClusterErrorType;
}

/**
 * What to tell about a cluster's answer: nothing when it is live, else the explanation and fix of
 * its error kind (or of its state when the backend gave no kind, e.g. a first sync in progress).
 */
export function clusterProblem(
  header: Pick<ClusterAnswerHeader, 'state' | 'error' | 'errorType'>,
): ClusterProblemText | undefined {
  if (header.errorType) return CLUSTER_PROBLEMS[header.errorType];
  if (!header.error && header.state === 'synced') return undefined;
  if (header.state === 'syncing') {
    return {
      label: 'syncing',
      explanation: 'The cache has not finished its first list of this cluster.',
      hint: 'Wait a few seconds and refresh.',
    };
  }
  if (!header.error && header.state !== 'error') return undefined;
  return CLUSTER_PROBLEMS.unknown;
}

/** `5 min ago`, `2 h ago`, `just now`: how long ago an ISO time was, for people. */
export function ago(iso: string, now: number = Date.now()): string {
  const seconds = Math.max(
    0,
    Math.round((now - new Date(iso).getTime()) / 1000),
  );
  if (seconds < 45) return 'just now';
  const minutes = Math.round(seconds / 60);
  if (minutes < 90) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 36) return `${hours} h ago`;
  return `${Math.round(hours / 24)} days ago`;
}

/**
 * Whether a cluster's answer holds data to draw: live or stale (its last known state). A cluster
 * in error or in its first sync has none, and empty tables, "no findings" or "all 0 nodes in the
 * EU" would read as good news.
 */
export function hasClusterData(header: Pick<ClusterAnswerHeader, 'state'>) {
  return header.state === 'synced' || header.state === 'stale';
}
