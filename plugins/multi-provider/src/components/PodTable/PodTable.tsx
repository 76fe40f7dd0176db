import {
  StatusError,
  StatusOK,
  StatusPending,
  StatusWarning,
  Table,
  type TableColumn,
} from '@backstage/core-components';
import { Tooltip, Typography } from '@material-ui/core';
import type { IntentStatus } from '@cloudlab/plugin-multi-provider-common';
import type { PodRow } from '../../helpers/entityPlacement';

function IntentCell(props: { status: IntentStatus; reasons: string[] }) {
  const { status, reasons } = props;
  const label = {
    matches: <StatusOK>matches</StatusOK>,
    warning: <StatusWarning>soft intent missed</StatusWarning>,
    violated: <StatusError>violated</StatusError>,
    pending: <StatusPending>pending</StatusPending>,
  }[status];
  if (reasons.length === 0) return label;
  return (
    <Tooltip title={reasons.join('; ')}>
      <span>{label}</span>
    </Tooltip>
  );
}

function describeIntent(row: PodRow): string {
  const { intent } = row.pod;
  const parts: string[] = [];
  if (intent.nodeSelector) {
    parts.push(
      Object.entries(intent.nodeSelector)
        .map(([k, v]) => `${k}=${v}`)
        .join(', '),
    );
  }
  if (intent.nodeAffinity) {
    parts.push(...intent.nodeAffinity.required);
    parts.push(
      ...intent.nodeAffinity.preferred.map(
        p => `${p.term} (weight ${p.weight})`,
      ),
    );
  }
  for (const s of intent.topologySpread ?? []) {
    parts.push(`spread over ${s.topologyKey} (max skew ${s.maxSkew})`);
  }
  for (const a of intent.podAntiAffinity ?? [])
    parts.push(`anti-affinity: ${a}`);
  if (intent.tolerations?.length)
    parts.push(`tolerates ${intent.tolerations.join(', ')}`);
  return parts.join('; ') || 'none';
}

const columns: TableColumn<PodRow>[] = [
  {
    title: 'Pod',
    field: 'pod.name',
    render: r => (
      <>
        <Typography variant="body2">{r.pod.name}</Typography>
        <Typography variant="caption" color="textSecondary">
          {r.pod.namespace}
        </Typography>
      </>
    ),
  },
  { title: 'Phase', field: 'pod.phase' },
  {
    title: 'Owner',
    render: r =>
      r.pod.owner ? `${r.pod.owner.kind}/${r.pod.owner.name}` : '—',
    customFilterAndSearch: (term, r) =>
      !!r.pod.owner?.name.toLowerCase().includes(term.toLowerCase()),
  },
  { title: 'Provider', field: 'provider' },
  { title: 'Region', field: 'region' },
  { title: 'Zone', field: 'zone' },
  {
    title: 'Node',
    field: 'node',
    render: r => r.pod.nodeName ?? r.pod.pendingReason ?? '—',
  },
  {
    title: 'Intent',
    render: r => describeIntent(r),
    customFilterAndSearch: (term, r) => describeIntent(r).includes(term),
  },
  {
    title: 'Intent vs reality',
    field: 'pod.intentStatus',
    render: r => (
      <IntentCell
        status={r.pod.intentStatus}
        reasons={
          r.pod.pendingReason
            ? [r.pod.pendingReason, ...r.pod.reasons]
            : r.pod.reasons
        }
      />
    ),
  },
];

/** Props of {@link PodTable}. */
export interface PodTableProps {
  rows: PodRow[];
  title?: string;
}

/**
 * The entity's pods, paginated (20 a page), searchable and sortable: only one page
 * of rows is ever in the DOM, so 5,000 pods render as fast as 20.
 */
export function PodTable(props: PodTableProps) {
  const { rows, title = 'Pods' } = props;
  return (
    <Table<PodRow>
      title={title}
      columns={columns}
      data={rows}
      options={{
        paging: rows.length > 20,
        pageSize: 20,
        pageSizeOptions: [20, 50, 100],
        padding: 'dense',
        search: rows.length > 5,
        emptyRowsWhenPaging: false,
      }}
    />
  );
}
