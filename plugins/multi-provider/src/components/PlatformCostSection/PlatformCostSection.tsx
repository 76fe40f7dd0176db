import { InfoCard, Table, TableColumn } from '@backstage/core-components';
import { Button, Grid } from '@material-ui/core';
import type {
  ClusterCost,
  LocationCost,
  PlatformCost,
  WorkloadCost,
} from '@cloudlab/plugin-multi-provider-common';
import { costText, formatMoney, platformCostCsv } from '../../helpers/cost';
import { CostNotice } from '../CostNotice';

function providerColumns(currency: string | null): TableColumn<LocationCost>[] {
  return [
    { title: 'Provider', field: 'provider' },
    { title: 'Nodes', field: 'nodes' },
    {
      title: 'Monthly',
      render: p =>
        costText(
          { monthly: p.monthly, unknown: p.unknownNodes, count: p.nodes },
          currency,
        ),
    },
    { title: 'Used by pods', render: p => formatMoney(p.used, currency) },
    { title: 'Idle', render: p => formatMoney(p.idle, currency) },
  ];
}

function serviceColumns(currency: string | null): TableColumn<WorkloadCost>[] {
  return [
    { title: 'Service', field: 'id' },
    { title: 'Pods', field: 'pods' },
    {
      title: 'Monthly',
      render: s =>
        costText(
          { monthly: s.monthly, unknown: s.unknownPods, count: s.pods },
          currency,
        ),
    },
    {
      title: 'By provider',
      render: s =>
        Object.entries(s.byProvider)
          .map(([p, m]) => `${p} ${formatMoney(m, currency)}`)
          .join(', ') || '—',
    },
  ];
}

function ClusterCostTables(props: { cluster: ClusterCost }) {
  const { cluster } = props;
  const services = cluster.services
    .filter(s => s.pods > 0)
    .sort((a, b) => b.monthly - a.monthly);
  return (
    <Grid container spacing={2}>
      <Grid item xs={12} lg={5}>
        <Table<LocationCost>
          title={`Cluster ${cluster.cluster} by provider`}
          options={{ search: false, paging: false, padding: 'dense' }}
          columns={providerColumns(cluster.currency)}
          data={cluster.providers}
        />
      </Grid>
      <Grid item xs={12} lg={7}>
        <Table<WorkloadCost>
          title={`Cluster ${cluster.cluster} by service`}
          options={{
            search: services.length > 10,
            paging: services.length > 20,
            pageSize: 20,
            padding: 'dense',
          }}
          columns={serviceColumns(cluster.currency)}
          data={services}
        />
      </Grid>
    </Grid>
  );
}

function downloadCsv(cost: PlatformCost) {
  const url = URL.createObjectURL(
    new Blob([platformCostCsv(cost)], { type: 'text/csv' }),
  );
  const link = document.createElement('a');
  link.href = url;
  link.download = 'cloudlab-cost.csv';
  link.click();
  URL.revokeObjectURL(url);
}

/**
 * The platform page's cost section: per cluster the monthly cost by provider (used and idle) and
 * by service, the stale-price warnings, the rule, and the whole answer as CSV.
 */
export function PlatformCostSection(props: { cost: PlatformCost }) {
  const { cost } = props;
  const first = cost.clusters[0];
  return (
    <InfoCard
      title="Cost"
      action={
        <Button size="small" onClick={() => downloadCsv(cost)}>
          Download CSV
        </Button>
      }
    >
      {first && <CostNotice stale={first.stale} rule={first.rule} />}
      {cost.clusters.map(c => (
        <ClusterCostTables key={c.cluster} cluster={c} />
      ))}
    </InfoCard>
  );
}
