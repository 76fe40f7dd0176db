import {
  StatusError,
  StatusOK,
  StatusPending,
  StatusWarning,
  WarningPanel,
} from '@backstage/core-components';
import { Box, Tooltip, Typography } from '@material-ui/core';
import {
  ago,
  clusterProblem,
  type ClusterAnswerHeader,
} from '../../helpers/clusterProblem';

const clock = (iso: string) => new Date(iso).toLocaleTimeString();

/** The state as a Backstage status: live, syncing, stale since…, or the error kind. */
function StateBadge(props: { header: ClusterAnswerHeader }) {
  const { header } = props;
  const problem = clusterProblem(header);
  switch (header.state) {
    case 'synced':
      return <StatusOK>live</StatusOK>;
    case 'syncing':
      return <StatusPending>syncing</StatusPending>;
    case 'stale':
      return (
        <StatusWarning>
          stale
          {header.staleSince
            ? ` since ${clock(header.staleSince)} (${ago(header.staleSince)})`
            : ''}
          {problem ? ` · ${problem.label}` : ''}
        </StatusWarning>
      );
    default:
      return <StatusError>{problem?.label ?? 'failing'}</StatusError>;
  }
}

/** Props of {@link ClusterHealth}. */
export interface ClusterHealthProps {
  /** The per-cluster fields of the answer (`cluster`, `state`, `staleSince`, `error`, `errorType`). */
  header: ClusterAnswerHeader;
  /**
   * `badge`: the state only, with the explanation and fix as a tooltip (tables, titles).
   * `full` (default): the state, and for a failing or stale cluster a panel with what happened,
   * what to do and the backend's own words.
   */
  variant?: 'badge' | 'full';
  /** Put the cluster's name before the state, where no heading names it. */
  named?: boolean;
}

/**
 * One cluster's health in every view: live / syncing / stale since … / the typed error with a
 * human explanation and a fix hint. Each page renders it once per cluster, beside that cluster's
 * data, so a failing cluster is explained while the others still render.
 */
export function ClusterHealth(props: ClusterHealthProps) {
  const { header, variant = 'full', named } = props;
  const problem = clusterProblem(header);
  const badge = named ? (
    <Box display="flex" alignItems="center" gridGap={6}>
      <strong>{header.cluster}:</strong>
      <StateBadge header={header} />
    </Box>
  ) : (
    <StateBadge header={header} />
  );
  if (variant === 'badge') {
    if (!problem) return badge;
    return (
      <Tooltip
        title={`${problem.explanation} ${problem.hint}${
          header.error ? ` — ${header.error}` : ''
        }`}
      >
        <span>{badge}</span>
      </Tooltip>
    );
  }
  const stale = header.state === 'stale';
  const showPanel = !!problem || stale;
  let severity: 'warning' | 'info' | 'error' = 'error';
  if (stale) severity = 'warning';
  else if (header.state === 'syncing') severity = 'info';
  return (
    <Box
      role="status"
      aria-label={`state of cluster ${header.cluster}`}
      mb={showPanel ? 2 : 1}
    >
      {badge}
      {showPanel && (
        <WarningPanel
          severity={severity}
          title={
            stale
              ? `Cluster ${header.cluster}: showing the last known state${
                  header.staleSince
                    ? ` from ${clock(header.staleSince)} (${ago(
                        header.staleSince,
                      )})`
                    : ''
                }${problem ? ` — ${problem.label}` : ''}`
              : `Cluster ${header.cluster}: ${
                  problem?.label ?? header.state
                } — no data from this cluster`
          }
          defaultExpanded
        >
          <Box aria-label={`problem with cluster ${header.cluster}`}>
            {problem && (
              <>
                <Typography variant="body2" gutterBottom>
                  {problem.explanation}
                </Typography>
                <Typography variant="body2" gutterBottom>
                  <strong>Fix:</strong> {problem.hint}
                </Typography>
              </>
            )}
            {header.error && (
              <Typography variant="caption" component="pre">
                {header.error}
              </Typography>
            )}
          </Box>
        </WarningPanel>
      )}
    </Box>
  );
}
