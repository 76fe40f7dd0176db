import {
  StatusError,
  StatusOK,
  StatusPending,
  StatusWarning,
} from '@backstage/core-components';
import {
  Button,
  Chip,
  makeStyles,
  Tooltip,
  Typography,
} from '@material-ui/core';
import { useState } from 'react';
import CheckIcon from '@material-ui/icons/CheckCircleOutline';
import ErrorIcon from '@material-ui/icons/ErrorOutline';
import HourglassIcon from '@material-ui/icons/HourglassEmpty';
import WarningIcon from '@material-ui/icons/ReportProblemOutlined';
import type {
  IntentAspect,
  IntentStatus,
  WorkloadIntent,
} from '@cloudlab/plugin-multi-provider-common';

/** How many workloads are listed before "show all"; an entity rarely has more. */
const FIRST_WORKLOADS = 20;

const useStyles = makeStyles(theme => ({
  workload: {
    padding: theme.spacing(1, 0),
    borderBottom: `1px solid ${theme.palette.divider}`,
  },
  head: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    gap: theme.spacing(1),
  },
  chips: {
    display: 'flex',
    flexWrap: 'wrap',
    gap: theme.spacing(0.5),
    margin: theme.spacing(0.5, 0),
  },
  matches: { borderColor: theme.palette.success.main },
  warning: { borderColor: theme.palette.warning.main },
  violated: {
    borderColor: theme.palette.error.main,
    color: theme.palette.error.main,
  },
  pending: { borderColor: theme.palette.info.main },
  reasons: { margin: 0, paddingLeft: theme.spacing(2.5) },
}));

const ICON: Record<IntentStatus, JSX.Element> = {
  matches: <CheckIcon fontSize="small" />,
  warning: <WarningIcon fontSize="small" />,
  violated: <ErrorIcon fontSize="small" />,
  pending: <HourglassIcon fontSize="small" />,
};

const ASPECT_STATE: Record<IntentStatus, string> = {
  matches: 'reality matches',
  warning: 'soft intent missed',
  violated: 'hard intent violated',
  pending: 'pods pending because of it',
};

const sentence = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** The verdict of a workload: does where its pods run match what it asked for? */
export function IntentVerdict(props: { status: IntentStatus }) {
  switch (props.status) {
    case 'matches':
      return <StatusOK>intent matches reality</StatusOK>;
    case 'warning':
      return <StatusWarning>soft intent missed</StatusWarning>;
    case 'violated':
      return <StatusError>hard intent violated</StatusError>;
    default:
      return <StatusPending>pods pending</StatusPending>;
  }
}

function AspectChip(props: { aspect: IntentAspect }) {
  const { aspect } = props;
  const classes = useStyles();
  return (
    <Tooltip
      title={
        <>
          <div>{aspect.detail}</div>
          <div>
            {aspect.hard
              ? 'Hard: the scheduler enforces it.'
              : 'Soft: a preference.'}{' '}
            {sentence(ASPECT_STATE[aspect.status])}
            {aspect.reasons.length ? `: ${aspect.reasons.join('; ')}` : '.'}
          </div>
        </>
      }
    >
      <Chip
        size="small"
        variant="outlined"
        icon={ICON[aspect.status]}
        label={aspect.label}
        className={classes[aspect.status]}
        aria-label={`${aspect.label}: ${ASPECT_STATE[aspect.status]}`}
        data-testid="intent-chip"
      />
    </Tooltip>
  );
}

/** Props of {@link WorkloadIntentList}. */
export interface WorkloadIntentListProps {
  workloads: WorkloadIntent[];
}

/**
 * Intent vs reality per workload: each declared placement intent (node selector, node affinity,
 * required pod anti-affinity, topology spread, tolerations) as a chip coloured by whether reality
 * honours it, the tooltip saying what it means and why not; the verdict and its reasons beside.
 */
export function WorkloadIntentList(props: WorkloadIntentListProps) {
  const { workloads } = props;
  const classes = useStyles();
  const [showAll, setShowAll] = useState(false);
  const shown = showAll ? workloads : workloads.slice(0, FIRST_WORKLOADS);
  return (
    <div aria-label="intent per workload">
      <Typography variant="subtitle2">
        Intent vs reality per workload
      </Typography>
      {shown.map(w => (
        <section
          key={w.key}
          className={classes.workload}
          aria-label={`intent of ${w.key}`}
        >
          <div className={classes.head}>
            <Typography variant="body2">
              <strong>
                {w.kind}/{w.name}
              </strong>{' '}
              <Typography
                component="span"
                variant="caption"
                color="textSecondary"
              >
                {w.namespace} · {w.pods} {w.pods === 1 ? 'pod' : 'pods'}
                {w.pending ? ` (${w.pending} pending)` : ''}
              </Typography>
            </Typography>
            <IntentVerdict status={w.status} />
          </div>
          <div className={classes.chips}>
            {w.aspects.length === 0 ? (
              <Tooltip title="No nodeSelector, node affinity, anti-affinity, spread or tolerations: the scheduler may put its pods on any node of any provider.">
                <Chip
                  size="small"
                  variant="outlined"
                  label="no placement constraints"
                  data-testid="intent-chip"
                />
              </Tooltip>
            ) : (
              w.aspects.map(a => (
                <AspectChip key={`${a.kind}:${a.label}`} aspect={a} />
              ))
            )}
          </div>
          {w.status !== 'matches' && w.reasons.length > 0 && (
            <ul
              className={classes.reasons}
              aria-label={`why ${w.name} does not match`}
            >
              {w.reasons.map(r => (
                <li key={r}>
                  <Typography variant="caption">{r}</Typography>
                </li>
              ))}
            </ul>
          )}
        </section>
      ))}
      {shown.length < workloads.length && (
        <Button size="small" onClick={() => setShowAll(true)}>
          Show {workloads.length - shown.length} more workloads
        </Button>
      )}
    </div>
  );
}
