import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import { Container } from '@backstage/ui';
import { Chip, Grid, Typography } from '@material-ui/core';
import {
  platformLiveChannel,
  type CsiDriverRow,
  type PlatformStorageCluster,
  type StorageClassRow,
} from '@cloudlab/plugin-multi-provider-common';
import { multiProviderApiRef } from '../../api';
import { useLiveAsync } from '../../helpers/useLiveAsync';
import { formatBytes } from '../../helpers/format';
import { ClusterHealth } from '../ClusterHealth';
import { hasClusterData } from '../../helpers/clusterProblem';
import { DesiredStorageCard } from '../DesiredStorageCard';
import { StorageFindingList } from '../StorageFindingList';
import { StorageVolumeMap } from '../StorageVolumeMap';

const driverColumns: TableColumn<CsiDriverRow>[] = [
  { title: 'CSI driver', field: 'name' },
  {
    title: 'Provider',
    render: d => d.providerDisplayName ?? <em>not in the registry</em>,
  },
  {
    title: 'Installed',
    render: d => (d.installed ? 'yes' : <Chip size="small" label="missing" />),
  },
  {
    title: 'Node plugin on',
    render: d =>
      d.nodes.length === 0
        ? 'no CSINode lists it'
        : `${d.nodes.length} node(s): ${d.nodes.slice(0, 6).join(', ')}${
            d.nodes.length > 6 ? '…' : ''
          }`,
  },
  {
    title: 'Missing on',
    render: d => (d.missingOn.length === 0 ? '—' : d.missingOn.join(', ')),
  },
];

const classColumns: TableColumn<StorageClassRow>[] = [
  {
    title: 'StorageClass',
    render: c => (
      <>
        {c.name}{' '}
        {c.isDefault && <Chip size="small" color="secondary" label="default" />}
      </>
    ),
  },
  { title: 'Provider', render: c => c.providerDisplayName ?? '—' },
  { title: 'Provisioner', field: 'provisioner' },
  { title: 'Reclaim', field: 'reclaimPolicy' },
  { title: 'Binding', field: 'bindingMode' },
  { title: 'Expansion', render: c => (c.allowVolumeExpansion ? 'yes' : 'no') },
  {
    title: 'Topology',
    render: c =>
      c.topology.length ? (
        <span style={{ fontSize: '0.8em' }}>{c.topology.join('; ')}</span>
      ) : (
        'any'
      ),
  },
];

/** A horizontal bar of `value` out of `of`, with the figures beside it. */
function ShareBar(props: { label: string; value: number; of: number }) {
  const { label, value, of } = props;
  const share = of > 0 ? value / of : 0;
  return (
    <div
      role="meter"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={of}
      aria-valuenow={value}
      style={{ display: 'flex', alignItems: 'center', gap: 8 }}
    >
      <div
        style={{
          flex: 1,
          height: 10,
          borderRadius: 5,
          background: 'rgba(127,127,127,0.2)',
          overflow: 'hidden',
        }}
      >
        <div
          style={{
            width: `${share * 100}%`,
            height: '100%',
            background: '#3f51b5',
          }}
        />
      </div>
      <Typography variant="caption">
        {value}/{of} bound
      </Typography>
    </div>
  );
}

/** Capacity per class: bound of pre-provisioned/provisioned volumes, and requested bytes. */
function ClassCapacity(props: { classes: StorageClassRow[] }) {
  return (
    <InfoCard title="Capacity per class">
      {props.classes.map(c => (
        <div key={c.name} style={{ marginBottom: 12 }}>
          <Typography variant="subtitle2">
            {c.name}{' '}
            <Typography component="span" variant="caption">
              {c.providerDisplayName ?? c.provisioner} · {c.claims} claims,{' '}
              {formatBytes(c.requestedBytes)} requested ·{' '}
              {formatBytes(c.capacityBytes)} in {c.volumes} volumes
              {c.releasedVolumes > 0 ? `, ${c.releasedVolumes} released` : ''}
            </Typography>
          </Typography>
          <ShareBar
            label={`${c.name} volumes bound`}
            value={c.boundVolumes}
            of={c.volumes}
          />
        </div>
      ))}
    </InfoCard>
  );
}

function ClusterStorage(props: { cluster: PlatformStorageCluster }) {
  const { cluster } = props;
  return (
    <Grid
      item
      xs={12}
      component="section"
      aria-label={`storage of cluster ${cluster.cluster}`}
    >
      <Typography variant="h5" gutterBottom>
        Cluster {cluster.cluster}
      </Typography>
      <ClusterHealth header={cluster} />
      {hasClusterData(cluster) && (
        <>
          <Typography variant="body2" gutterBottom>
            {cluster.totals.claims} claims ({cluster.totals.pendingClaims}{' '}
            pending), {cluster.totals.volumes} volumes
          </Typography>
          <Grid container spacing={3}>
            <Grid item xs={12} lg={7}>
              <StorageVolumeMap zones={cluster.zones} />
            </Grid>
            <Grid item xs={12} lg={5}>
              <InfoCard title={`Findings (${cluster.findingsTotal})`}>
                <StorageFindingList
                  findings={cluster.findings}
                  total={cluster.findingsTotal}
                />
              </InfoCard>
              <div style={{ height: 24 }} />
              <ClassCapacity classes={cluster.storageClasses} />
            </Grid>
            <Grid item xs={12}>
              <Table<StorageClassRow>
                title="StorageClasses"
                options={{ search: false, paging: false, padding: 'dense' }}
                columns={classColumns}
                data={cluster.storageClasses}
              />
            </Grid>
            <Grid item xs={12} component="section" aria-label="CSI drivers">
              <Table<CsiDriverRow>
                title="CSI drivers"
                options={{ search: false, paging: false, padding: 'dense' }}
                columns={driverColumns}
                data={cluster.csiDrivers}
              />
            </Grid>
          </Grid>
        </>
      )}
    </Grid>
  );
}

/**
 * The platform storage page: per cluster the provider → zone volume map, findings, StorageClasses
 * with capacity and CSI drivers with their node plugins; then the desired state from gitops/.
 */
export function StoragePage() {
  const api = useApi(multiProviderApiRef);
  const storage = useLiveAsync(
    () => api.getPlatformStorage(),
    [api],
    [platformLiveChannel('storage')],
  );
  return (
    <Container my="4">
      <Grid container spacing={3}>
        {storage.loading && (
          <Grid item xs={12}>
            <Progress />
          </Grid>
        )}
        {storage.error && (
          <Grid item xs={12}>
            <ResponseErrorPanel error={storage.error} />
          </Grid>
        )}
        {storage.value?.clusters.map(cluster => (
          <ClusterStorage key={cluster.cluster} cluster={cluster} />
        ))}
        <Grid item xs={12} component="section" aria-label="desired storage">
          <DesiredStorageCard />
        </Grid>
      </Grid>
    </Container>
  );
}
