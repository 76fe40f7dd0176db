import type { ReactNode } from 'react';
import {
  StatusAborted,
  StatusError,
  StatusOK,
  StatusPending,
  StatusWarning,
} from '@backstage/core-components';
import { Tooltip, Typography } from '@material-ui/core';
import type {
  FluxState,
  RollupVerdict,
  SyncState,
} from '@cloudlab/plugin-multi-provider-common';

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

/** Longest message shown in a table cell; the whole message is in the tooltip. */
const MESSAGE_CHARS = 180;

/** A reason in bold with its message, long messages cut (full text on hover). */
export function ReasonCell(props: {
  reason?: string;
  message?: string;
  /** Shown above the reason (e.g. a status icon). */
  children?: ReactNode;
}) {
  const { reason, message = '', children } = props;
  const short =
    message.length > MESSAGE_CHARS
      ? `${message.slice(0, MESSAGE_CHARS)}…`
      : message;
  return (
    <Tooltip title={message}>
      <div style={{ minWidth: children ? 160 : 280, maxWidth: 560 }}>
        {children}
        <Typography variant="body2">{reason ?? ''}</Typography>
        <Typography variant="caption" color="textSecondary">
          {short}
        </Typography>
      </div>
    </Tooltip>
  );
}
