import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
  Table,
  type TableColumn,
} from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import {
  Box,
  Button,
  Chip,
  makeStyles,
  TextField,
  Typography,
} from '@material-ui/core';
import type {
  ClusterFailureDomain,
  FailureDomain,
  ServiceVerdict,
} from '@cloudlab/plugin-multi-provider-common';
import { useMemo, useState } from 'react';
import useAsyncFn from 'react-use/esm/useAsyncFn';
import { multiProviderApiRef } from '../../api';
import { sortVerdicts, type DomainOption } from '../../helpers/failureDomain';
import { ClusterHealth } from '../ClusterHealth';
import { hasClusterData } from '../../helpers/clusterProblem';
import { VerdictStatus } from '../VerdictStatus';
import { FailureDomainAdvice } from '../FailureDomainAdvice';

const LEVELS: FailureDomain['level'][] = ['provider', 'region', 'zone'];

const useStyles = makeStyles(theme => ({
  form: {
    display: 'flex',
    flexWrap: 'wrap',
    gap: theme.spacing(2),
    alignItems: 'flex-end',
    marginBottom: theme.spacing(2),
  },
  select: { minWidth: 180 },
  summary: {
    display: 'flex',
    gap: theme.spacing(1),
    alignItems: 'center',
    flexWrap: 'wrap',
    margin: theme.spacing(2, 0, 1),
  },
}));

function verdictColumns(
  onAdvise: (s: ServiceVerdict) => void,
): TableColumn<ServiceVerdict>[] {
  return [
    {
      title: 'Verdict',
      field: 'verdict',
      render: s => <VerdictStatus verdict={s.verdict} />,
      width: '10em',
    },
    {
      title: 'Service',
      field: 'id',
      render: s => (
        <>
          <Typography variant="body2">{s.name}</Typography>
          <Typography variant="caption" color="textSecondary">
            {s.namespace}
            {s.redundantPerProvider ? ' · one instance per provider' : ''}
          </Typography>
        </>
      ),
    },
    {
      title: 'Workloads',
      render: s => s.workloads.map(w => `${w.kind}/${w.name}`).join(', '),
      customFilterAndSearch: (term, s) =>
        s.workloads.some(w => w.name.includes(term)),
    },
    {
      title: 'Replicas',
      render: s =>
        s.affected
          ? `${s.replicasBefore} → ${s.replicasAfter} (${s.lost} lost, ${s.replaced} re-placed)`
          : `${s.replicasBefore} (not affected)`,
    },
    {
      title: 'Why',
      render: s => (
        <ul style={{ margin: 0, paddingLeft: 16 }}>
          {s.reasons.map(r => (
            <li key={r}>{r}</li>
          ))}
        </ul>
      ),
      customFilterAndSearch: (term, s) => s.reasons.some(r => r.includes(term)),
    },
    {
      title: 'Advice',
      render: s =>
        s.verdict === 'survives' ? null : (
          <Button
            size="small"
            variant="outlined"
            onClick={() => onAdvise(s)}
            aria-label={`Advise on ${s.id}`}
          >
            Advise
          </Button>
        ),
      width: '8em',
    },
  ];
}

function ClusterVerdicts(props: {
  answer: ClusterFailureDomain;
  domain: FailureDomain;
}) {
  const { answer, domain } = props;
  const classes = useStyles();
  const services = useMemo(() => sortVerdicts(answer.services), [answer]);
  const [advised, setAdvised] = useState<ServiceVerdict | undefined>();
  const columns = useMemo(() => verdictColumns(setAdvised), []);
  return (
    <section aria-label={`verdicts for cluster ${answer.cluster}`}>
      <div className={classes.summary}>
        <Typography variant="subtitle1">Cluster {answer.cluster}</Typography>
        <Chip
          size="small"
          label={`${answer.lostNodes.length} nodes lost`}
          variant="outlined"
        />
        <Chip size="small" label={`${answer.summary.survives} survive`} />
        <Chip size="small" label={`${answer.summary.degraded} degraded`} />
        <Chip size="small" label={`${answer.summary.down} down`} />
      </div>
      <ClusterHealth header={answer} />
      {hasClusterData(answer) && (
        <Table<ServiceVerdict>
          title={`${services.length} services`}
          columns={columns}
          data={services}
          options={{
            paging: services.length > 10,
            pageSize: 10,
            pageSizeOptions: [10, 25, 100],
            padding: 'dense',
            search: services.length > 10,
          }}
        />
      )}
      {advised && (
        <FailureDomainAdvice
          domain={domain}
          cluster={answer.cluster}
          service={advised}
        />
      )}
    </section>
  );
}

/** Props of {@link FailureDomainPanel}. */
export interface FailureDomainPanelProps {
  /** The domains the map knows, from `failureDomainOptions`. */
  options: DomainOption[];
}

/**
 * "What if provider/region/zone X fails": pick a domain, ask the backend to simulate
 * its loss, and read every service's verdict with the reasons.
 */
export function FailureDomainPanel(props: FailureDomainPanelProps) {
  const { options } = props;
  const classes = useStyles();
  const api = useApi(multiProviderApiRef);
  const [level, setLevel] = useState<FailureDomain['level']>('provider');
  const choices = options.filter(o => o.level === level);
  const [name, setName] = useState<string>(choices[0]?.name ?? '');
  const selected = choices.some(c => c.name === name)
    ? name
    : choices[0]?.name ?? '';

  const [state, simulate] = useAsyncFn(
    (domain: FailureDomain) => api.analyseFailureDomain(domain),
    [api],
  );

  return (
    <InfoCard
      title="What if a failure domain fails?"
      subheader="Simulates the loss of every node in a provider, region or zone: which services survive, run degraded or go down."
    >
      <form
        className={classes.form}
        aria-label="failure domain"
        onSubmit={e => {
          e.preventDefault();
          if (selected) simulate({ level, name: selected });
        }}
      >
        <TextField
          select
          className={classes.select}
          label="Level"
          value={level}
          onChange={e => setLevel(e.target.value as FailureDomain['level'])}
          SelectProps={{ native: true }}
          inputProps={{ 'aria-label': 'Level' }}
        >
          {LEVELS.map(l => (
            <option key={l} value={l}>
              {l}
            </option>
          ))}
        </TextField>
        <TextField
          select
          className={classes.select}
          label="Domain"
          value={selected}
          onChange={e => setName(e.target.value)}
          SelectProps={{ native: true }}
          inputProps={{ 'aria-label': 'Domain' }}
          disabled={choices.length === 0}
        >
          {choices.map(c => (
            <option key={c.name} value={c.name}>
              {c.label} — {c.nodes} {c.nodes === 1 ? 'node' : 'nodes'}
            </option>
          ))}
        </TextField>
        <Button
          type="submit"
          variant="contained"
          color="primary"
          disabled={!selected || state.loading}
        >
          Simulate loss
        </Button>
      </form>
      {state.loading && <Progress />}
      {state.error && <ResponseErrorPanel error={state.error} />}
      {!state.loading && state.value && (
        <Box aria-live="polite">
          <Typography variant="h6">
            Losing {state.value.domain.level} {state.value.domain.name}
          </Typography>
          {state.value.clusters.map(c => (
            <ClusterVerdicts
              key={c.cluster}
              answer={c}
              domain={state.value!.domain}
            />
          ))}
        </Box>
      )}
    </InfoCard>
  );
}
