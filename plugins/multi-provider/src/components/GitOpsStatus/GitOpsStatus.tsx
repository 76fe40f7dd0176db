import {
  StatusAborted,
  StatusError,
  StatusOK,
  StatusPending,
  StatusWarning,
} from '@backstage/core-components';
import type {
  FluxState,
  RollupVerdict,
  SyncState,
} from '@internal/plugin-multi-provider-common';

/** Any state the GitOps views show. */
export type GitOpsValue = FluxState | RollupVerdict | SyncState;

/** The colour family of a state: green, pending, amber, red, grey. */
export type Tone = 'ok' | 'pending' | 'warning' | 'error' | 'aborted';

const TONES: Record<GitOpsValue, Tone> = {
  ready: 'ok',
  healthy: 'ok',
  synced: 'ok',
  valid: 'ok',
  reconciling: 'pending',
  progressing: 'pending',
  waiting: 'pending',
  pending: 'pending',
  unknown: 'pending',
  unreported: 'aborted',
  suspended: 'warning',
  degraded: 'warning',
  failed: 'error',
  stalled: 'error',
  missing: 'error',
  failing: 'error',
  invalid: 'error',
};

/** The tone of a state (also used for the chain picture's borders). */
export const toneOf = (value: GitOpsValue): Tone => TONES[value];

/** A state as a Backstage status icon with its word. */
export function GitOpsStatus(props: { value: GitOpsValue }) {
  const { value } = props;
  switch (toneOf(value)) {
    case 'ok':
      return <StatusOK>{value}</StatusOK>;
    case 'warning':
      return <StatusWarning>{value}</StatusWarning>;
    case 'error':
      return <StatusError>{value}</StatusError>;
    case 'aborted':
      return <StatusAborted>{value}</StatusAborted>;
    default:
      return <StatusPending>{value}</StatusPending>;
  }
}
