import {
  Progress,
  ResponseErrorPanel,
  Table,
  type TableColumn,
} from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import { Box, Button, Paper, Typography, makeStyles } from '@material-ui/core';
import type {
  AdviceChange,
  FailureDomain,
  ServiceVerdict,
} from '@cloudlab/plugin-multi-provider-common';
import useAsync from 'react-use/esm/useAsync';
import { multiProviderApiRef } from '../../api';
import { deltaText, templateHref } from '../../helpers/advice';
import { VerdictStatus } from '../VerdictStatus';

const useStyles = makeStyles(theme => ({
  root: { padding: theme.spacing(2), marginTop: theme.spacing(2) },
  row: {
    display: 'flex',
    gap: theme.spacing(2),
    alignItems: 'center',
    flexWrap: 'wrap',
    margin: theme.spacing(1, 0),
  },
  reasons: { margin: 0, paddingLeft: theme.spacing(2) },
}));

/** Props of {@link FailureDomainAdvice}. */
export interface FailureDomainAdviceProps {
  domain: FailureDomain;
  cluster: string;
  service: ServiceVerdict;
}

function candidateColumns(
  currency: string | null,
): TableColumn<AdviceChange>[] {
  return [
    {
      title: 'With the change',
      render: c => <VerdictStatus verdict={c.verdict} />,
      width: '10em',
    },
    { title: 'Change', field: 'summary' },
    { title: 'Monthly', render: c => deltaText(c, currency), width: '14em' },
  ];
}

/**
 * The advice for one service the loss would not leave surviving: the cheapest change that makes
 * it survive (or the best found), its monthly cost delta, the verdict the same analysis gives it
 * with the change, and "Apply" to open the template that writes it, prefilled.
 */
export function FailureDomainAdvice(props: FailureDomainAdviceProps) {
  const { domain, cluster, service } = props;
  const classes = useStyles();
  const api = useApi(multiProviderApiRef);
  const state = useAsync(
    () =>
      api.adviseFailureDomain({ ...domain, cluster, services: [service.id] }),
    [api, domain.level, domain.name, cluster, service.id],
  );
  const answer = state.value?.clusters.find(c => c.cluster === cluster);
  const advice = answer?.services.find(s => s.id === service.id);
  const currency = answer?.currency ?? null;
  const best = advice?.advice;
  const href = best ? templateHref(best) : undefined;
  return (
    <Paper
      variant="outlined"
      className={classes.root}
      aria-label={`advice for ${service.id}`}
      component="section"
    >
      <Typography variant="h6">
        Advice for {service.name} when {domain.level} {domain.name} is lost
      </Typography>
      {state.loading && <Progress />}
      {state.error && <ResponseErrorPanel error={state.error} />}
      {!state.loading && !state.error && !advice && (
        <Typography>
          The analysis now reads this service as surviving: nothing to advise.
        </Typography>
      )}
      {advice && (
        <>
          {best ? (
            <>
              <Typography variant="subtitle1">
                {advice.survives
                  ? 'Cheapest change that makes it survive'
                  : 'No change weighed makes it survive; the best found'}
              </Typography>
              <Typography>{best.summary}</Typography>
              <Box className={classes.row}>
                <Typography variant="body2">With the change:</Typography>
                <VerdictStatus verdict={best.verdict} />
                <Typography variant="body2">
                  {best.replicasBefore} → {best.replicasAfter} replicas ·{' '}
                  {deltaText(best, currency)}
                </Typography>
                {href ? (
                  <Button
                    variant="contained"
                    color="primary"
                    href={href}
                    aria-label={`Apply with template ${best.template?.name}`}
                  >
                    Apply
                  </Button>
                ) : (
                  <Typography variant="body2" color="textSecondary">
                    No template writes this change: edit the workload's manifest
                    in gitops/.
                  </Typography>
                )}
              </Box>
              <ul className={classes.reasons}>
                {best.reasons.map(r => (
                  <li key={r}>{r}</li>
                ))}
              </ul>
            </>
          ) : (
            <Typography>No change to advise.</Typography>
          )}
          {advice.note && (
            <Typography variant="body2" color="textSecondary">
              {advice.note}
            </Typography>
          )}
          {advice.candidates.length > 1 && (
            <Table<AdviceChange>
              title="Every change weighed"
              columns={candidateColumns(currency)}
              data={advice.candidates}
              options={{ paging: false, search: false, padding: 'dense' }}
            />
          )}
          {answer && (
            <Typography variant="caption" color="textSecondary">
              {answer.rule}
            </Typography>
          )}
        </>
      )}
    </Paper>
  );
}
