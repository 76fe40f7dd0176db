import { InfoCard, WarningPanel } from '@backstage/core-components';
import { Button, Grid } from '@material-ui/core';
import type { ClusterStorage } from '@internal/plugin-multi-provider-common';
import { ClaimTable } from '../ClaimTable';
import { ClusterStateStatus } from '../ClusterStateStatus';
import { StorageFindingList } from '../StorageFindingList';
import { clustersGate } from '../../helpers/clustersGate';
import { useEntityAnswer } from '../../helpers/useEntityAnswer';

function ClusterStorageSection(props: { cluster: ClusterStorage }) {
  const { cluster } = props;
  return (
    <Grid
      item
      xs={12}
      component="section"
      aria-label={`storage in cluster ${cluster.cluster}`}
    >
      <InfoCard
        title={
          <>
            Cluster {cluster.cluster}{' '}
            <ClusterStateStatus
              state={cluster.state}
              staleSince={cluster.staleSince}
            />
          </>
        }
        subheader={`${cluster.claims.length} ${
          cluster.claims.length === 1 ? 'claim' : 'claims'
        }`}
      >
        {cluster.error && (
          <WarningPanel
            severity={cluster.state === 'stale' ? 'warning' : 'error'}
            title={
              cluster.state === 'stale'
                ? `Cluster ${cluster.cluster} shows its last known state`
                : `Cluster ${cluster.cluster} did not answer`
            }
            message={cluster.error}
          />
        )}
        <StorageFindingList findings={cluster.findings} />
        {cluster.claims.length > 0 && <ClaimTable claims={cluster.claims} />}
      </InfoCard>
    </Grid>
  );
}

/**
 * The entity's "Storage" tab: every claim of its pods with the class, provider and zone of the
 * volume, size, access modes, binding mode, phase, the pods and nodes, and the findings.
 */
export function EntityStorageContent() {
  const { value, loading, error, retry } = useEntityAnswer((api, ref) =>
    api.getEntityStorage(ref),
  );

  const gate = clustersGate(loading, error, value?.clusters.length);
  if (gate || !value) return gate;
  return (
    <Grid container spacing={3}>
      {value.clusters.map(cluster => (
        <ClusterStorageSection key={cluster.cluster} cluster={cluster} />
      ))}
      <Grid item xs={12}>
        <Button size="small" onClick={retry}>
          Refresh
        </Button>
      </Grid>
    </Grid>
  );
}
