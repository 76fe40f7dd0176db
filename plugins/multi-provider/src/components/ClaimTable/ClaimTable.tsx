import { Table, TableColumn } from '@backstage/core-components';
import { Chip } from '@material-ui/core';
import type {
  ClaimCost,
  StorageClaim,
} from '@cloudlab/plugin-multi-provider-common';
import { claimKey, formatMoney } from '../../helpers/cost';
import { formatBytes } from '../../helpers/format';
import { SeverityStatus } from '../StorageFindingList';

/** `pod → node (provider, zone)` of one mounting pod. */
export function podText(p: StorageClaim['pods'][number]): string {
  return `${p.name} → ${p.nodeName ?? 'unscheduled'}${
    p.provider ? ` (${p.provider}${p.zone ? `, ${p.zone}` : ''})` : ''
  }`;
}

function Pods(props: { claim: StorageClaim }) {
  const { pods } = props.claim;
  if (pods.length === 0) return <>not mounted</>;
  return (
    <div style={{ minWidth: 260 }}>
      {pods.map(p => (
        <div key={p.name}>{podText(p)}</div>
      ))}
    </div>
  );
}

/** The most severe of a claim's findings. */
function worst(c: StorageClaim): 'error' | 'warning' | 'info' {
  if (c.findings.some(f => f.severity === 'error')) return 'error';
  if (c.findings.some(f => f.severity === 'warning')) return 'warning';
  return 'info';
}

const columns: TableColumn<StorageClaim>[] = [
  {
    title: 'Claim',
    field: 'name',
    render: c => `${c.namespace}/${c.name}`,
  },
  { title: 'Phase', field: 'phase' },
  {
    title: 'Class / binding',
    render: c => (
      <>
        {c.storageClassName ?? <em>none</em>}
        <br />
        <small>{c.bindingMode ?? '—'}</small>
      </>
    ),
  },
  {
    title: 'Provider',
    render: c =>
      c.provider ? (
        <Chip size="small" label={c.providerDisplayName ?? c.provider} />
      ) : (
        '—'
      ),
  },
  { title: 'Zone / location', render: c => c.zone ?? '—' },
  {
    title: 'Size / access',
    render: c => (
      <>
        {c.capacity && c.capacity !== c.requested
          ? `${c.requested ?? '—'} (volume ${c.capacity})`
          : c.requested ?? formatBytes(c.requestedBytes)}
        <br />
        <small>{c.accessModes.join(', ') || '—'}</small>
      </>
    ),
  },
  { title: 'Pods → nodes', render: c => <Pods claim={c} /> },
  {
    title: 'Findings',
    render: c =>
      c.findings.length === 0 ? '—' : <SeverityStatus severity={worst(c)} />,
  },
];

/** The monthly cost column: the billed size's price, or why it has none. */
function costColumn(costs: {
  currency: string | null;
  claims: Map<string, ClaimCost>;
}): TableColumn<StorageClaim> {
  return {
    title: 'Monthly cost',
    render: c => {
      const cost = costs.claims.get(claimKey(c));
      if (!cost) return '—';
      if (cost.monthly === null) return <em>unknown: {cost.unknownReason}</em>;
      return (
        <>
          {formatMoney(cost.monthly, costs.currency)}
          <br />
          <small>{`${
            Math.round((cost.billedGiB ?? 0) * 100) / 100
          } GiB billed`}</small>
        </>
      );
    },
  };
}

/**
 * The claims of an entity in one cluster: class, provider, zone, size, modes, pods and nodes,
 * and their monthly cost when `costs` is given.
 */
export function ClaimTable(props: {
  claims: StorageClaim[];
  title?: string;
  costs?: { currency: string | null; claims: Map<string, ClaimCost> };
}) {
  const { claims, title = 'Claims', costs } = props;
  return (
    <Table<StorageClaim>
      title={title}
      options={{
        search: claims.length > 10,
        paging: claims.length > 20,
        pageSize: 20,
        padding: 'dense',
      }}
      columns={costs ? [...columns, costColumn(costs)] : columns}
      data={claims}
    />
  );
}
