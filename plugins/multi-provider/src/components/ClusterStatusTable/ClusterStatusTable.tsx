import { Table, type TableColumn } from '@backstage/core-components';
import type { ClusterStatus } from '@cloudlab/plugin-multi-provider-common';
import { ClusterHealth } from '../ClusterHealth';

const time = (iso?: string) => (iso ? new Date(iso).toLocaleString() : '—');

const columns: TableColumn<ClusterStatus>[] = [
  { title: 'Cluster', field: 'name' },
  {
    title: 'State',
    field: 'state',
    render: c => (
      <ClusterHealth
        variant="badge"
        header={{
          cluster: c.name,
          state: c.state,
          staleSince: c.staleSince,
          error: c.lastError,
          errorType: c.lastErrorType,
        }}
      />
    ),
  },
  { title: 'Nodes', field: 'nodes', type: 'numeric' },
  { title: 'Pods', field: 'pods', type: 'numeric' },
  { title: 'Last synced', render: c => time(c.syncedAt) },
  { title: 'Last error', render: c => c.lastError ?? '—' },
];

/** Props of {@link ClusterStatusTable}. */
export interface ClusterStatusTableProps {
  clusters: ClusterStatus[];
}

/** Every configured cluster with its cache state, so a failing one is seen, not hidden. */
export function ClusterStatusTable(props: ClusterStatusTableProps) {
  return (
    <Table<ClusterStatus>
      title="Clusters"
      columns={columns}
      data={props.clusters}
      options={{ paging: false, search: false, padding: 'dense' }}
    />
  );
}
