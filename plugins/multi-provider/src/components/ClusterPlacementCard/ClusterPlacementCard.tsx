import {
  InfoCard,
  StatusError,
  StatusOK,
  StatusPending,
  StatusWarning,
  WarningPanel,
} from '@backstage/core-components';
import { makeStyles, Tooltip, Typography } from '@material-ui/core';
import {
  summariseWorkloadIntents,
  type ClusterPlacement,
} from '@cloudlab/plugin-multi-provider-common';
import { useMemo } from 'react';
import {
  countIntent,
  EXPAND_TREE_BELOW_PODS,
  flattenPods,
  providerShares,
} from '../../helpers/entityPlacement';
import { percent } from '../../helpers/format';
import { ClusterHealth } from '../ClusterHealth';
import { PlacementTree } from '../PlacementTree';
import { PodTable } from '../PodTable';
import { WorkloadIntentList } from '../WorkloadIntentList';

/** One hue per provider slot in the share bar; order follows the answer. */
const SHARE_COLORS = ['#1f77b4', '#9467bd', '#17becf', '#8c564b', '#e377c2'];

const useStyles = makeStyles(theme => ({
  counts: {
    display: 'flex',
    flexWrap: 'wrap',
    gap: theme.spacing(2),
    margin: theme.spacing(1, 0, 2),
  },
  shareBar: {
    display: 'flex',
    height: 22,
    borderRadius: 4,
    overflow: 'hidden',
    marginBottom: theme.spacing(2),
  },
  share: {
    color: '#fff',
    fontSize: 12,
    lineHeight: '22px',
    paddingLeft: theme.spacing(0.5),
    whiteSpace: 'nowrap',
    overflow: 'hidden',
  },
  section: { marginTop: theme.spacing(2) },
  intents: { margin: theme.spacing(1, 0, 2) },
}));

/** Props of {@link ClusterPlacementCard}. */
export interface ClusterPlacementCardProps {
  placement: ClusterPlacement;
}

/** One cluster's part of an entity's placement: shares, warnings, tree and pods. */
export function ClusterPlacementCard(props: ClusterPlacementCardProps) {
  const { placement } = props;
  const classes = useStyles();
  const rows = useMemo(() => flattenPods(placement), [placement]);
  const intent = useMemo(() => countIntent(rows.map(r => r.pod)), [rows]);
  const shares = useMemo(() => providerShares(placement), [placement]);
  const workloads = useMemo(
    () => summariseWorkloadIntents(placement),
    [placement],
  );
  const scheduled = rows.length - placement.unscheduled.length;

  return (
    <InfoCard title={`Cluster ${placement.cluster}`}>
      <section aria-label={`placement in cluster ${placement.cluster}`}>
        <ClusterHealth header={placement} />
        {placement.warnings.length > 0 && (
          <WarningPanel
            title={`${placement.warnings.length} placement ${
              placement.warnings.length === 1 ? 'warning' : 'warnings'
            }`}
            defaultExpanded
          >
            <ul>
              {placement.warnings.map(w => (
                <li key={w}>{w}</li>
              ))}
            </ul>
          </WarningPanel>
        )}
        {rows.length === 0 && !placement.error && (
          <Typography color="textSecondary">
            No pods of this entity in cluster {placement.cluster}.
          </Typography>
        )}
        {rows.length > 0 && (
          <>
            <div className={classes.counts} aria-label="intent summary">
              <Typography variant="body2">{rows.length} pods</Typography>
              <StatusOK>{intent.matches} match their intent</StatusOK>
              {intent.warning > 0 && (
                <StatusWarning>
                  {intent.warning} miss a soft intent
                </StatusWarning>
              )}
              {intent.violated > 0 && (
                <StatusError>
                  {intent.violated} violate a hard intent
                </StatusError>
              )}
              {intent.pending > 0 && (
                <StatusPending>{intent.pending} pending</StatusPending>
              )}
            </div>
            <div className={classes.intents}>
              <WorkloadIntentList workloads={workloads} />
            </div>
            {scheduled > 0 && (
              <div
                className={classes.shareBar}
                role="img"
                aria-label={`pods per provider: ${shares
                  .map(s => `${s.displayName} ${s.pods}`)
                  .join(', ')}`}
              >
                {shares
                  .filter(s => s.pods > 0)
                  .map((s, i) => (
                    <Tooltip
                      key={s.name}
                      title={`${s.displayName}: ${s.pods} pods (${percent(
                        s.share,
                      )})`}
                    >
                      <div
                        className={classes.share}
                        style={{
                          width: `${s.share * 100}%`,
                          background: SHARE_COLORS[i % SHARE_COLORS.length],
                        }}
                      >
                        {s.displayName} {percent(s.share)}
                      </div>
                    </Tooltip>
                  ))}
              </div>
            )}
            <PlacementTree
              providers={placement.providers}
              expanded={rows.length <= EXPAND_TREE_BELOW_PODS}
            />
            <div className={classes.section}>
              <PodTable rows={rows} title={`Pods in ${placement.cluster}`} />
            </div>
          </>
        )}
      </section>
    </InfoCard>
  );
}
