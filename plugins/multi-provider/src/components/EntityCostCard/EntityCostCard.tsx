import { InfoCard, Table, TableColumn } from '@backstage/core-components';
import type {
  EntityCostResponse,
  EntityWorkloadCost,
} from '@cloudlab/plugin-multi-provider-common';
import { costText, formatMoney } from '../../helpers/cost';
import { CostNotice } from '../CostNotice';

function columns(
  currency: string | null,
  providers: string[],
): TableColumn<EntityWorkloadCost>[] {
  return [
    { title: 'Workload', render: w => `${w.namespace}/${w.kind}/${w.name}` },
    { title: 'Pods', field: 'pods' },
    {
      title: 'Monthly cost',
      render: w =>
        costText(
          { monthly: w.monthly, unknown: w.unknownPods, count: w.pods },
          currency,
        ),
    },
    ...providers.map(
      (provider): TableColumn<EntityWorkloadCost> => ({
        title: `On ${provider}`,
        render: w => {
          const alt = w.alternatives.find(a => a.provider === provider);
          if (!alt) return '—';
          if (!alt.fits) return <em>{alt.reason}</em>;
          return `${formatMoney(alt.monthly, currency)} (${alt.serverType})`;
        },
      }),
    ),
  ];
}

/**
 * The entity's monthly cost per workload in every cluster, with what each would cost on every
 * provider's cheapest fitting server type, the stale-price warnings and the rule.
 */
export function EntityCostCard(props: { cost: EntityCostResponse }) {
  const { cost } = props;
  const providers = [
    ...new Set(
      cost.clusters.flatMap(c =>
        c.workloads.flatMap(w => w.alternatives.map(a => a.provider)),
      ),
    ),
  ].sort();
  return (
    <InfoCard title="Cost">
      <CostNotice stale={cost.stale} rule={cost.rule} />
      {cost.clusters
        .filter(c => c.workloads.length > 0)
        .map(c => (
          <Table<EntityWorkloadCost>
            key={c.cluster}
            title={`Cluster ${c.cluster}: ${costText(
              {
                monthly: c.total.monthly,
                unknown: c.total.unknownPods,
                count: c.total.pods,
              },
              cost.currency,
            )} a month`}
            options={{ search: false, paging: false, padding: 'dense' }}
            columns={columns(cost.currency, providers)}
            data={c.workloads}
          />
        ))}
    </InfoCard>
  );
}
