import {
  StatusError,
  StatusOK,
  StatusWarning,
} from '@backstage/core-components';
import type { Verdict } from '@cloudlab/plugin-multi-provider-common';

/** A failure-domain verdict as a Backstage status. */
export function VerdictStatus(props: { verdict: Verdict }) {
  switch (props.verdict) {
    case 'survives':
      return <StatusOK>survives</StatusOK>;
    case 'degraded':
      return <StatusWarning>degraded</StatusWarning>;
    default:
      return <StatusError>down</StatusError>;
  }
}
