import {
  StatusError,
  StatusOK,
  StatusPending,
  StatusWarning,
} from '@backstage/core-components';
import type { ClusterState } from '@internal/plugin-multi-provider-common';

/** Props of {@link ClusterStateStatus}. */
export interface ClusterStateStatusProps {
  state: ClusterState;
  /** ISO time the data stopped being live, for `stale`. */
  staleSince?: string;
}

/** A cluster's cache state as a Backstage status: live, syncing, stale since…, or failing. */
export function ClusterStateStatus(props: ClusterStateStatusProps) {
  const { state, staleSince } = props;
  switch (state) {
    case 'synced':
      return <StatusOK>live</StatusOK>;
    case 'syncing':
      return <StatusPending>syncing</StatusPending>;
    case 'stale':
      return (
        <StatusWarning>
          stale
          {staleSince
            ? ` since ${new Date(staleSince).toLocaleTimeString()}`
            : ''}
        </StatusWarning>
      );
    default:
      return <StatusError>unreachable</StatusError>;
  }
}
