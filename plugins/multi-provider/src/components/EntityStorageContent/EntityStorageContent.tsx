import { InfoCard } from '@backstage/core-components';
import { Button, Grid } from '@material-ui/core';
import type {
  ClaimCost,
  ClusterStorage,
  EntityCostResponse,
} from '@cloudlab/plugin-multi-provider-common';
import { claimCostsByKey } from '../../helpers/cost';
import { ClaimTable } from '../ClaimTable';
import { ClusterHealth } from '../ClusterHealth';
import { hasClusterData } from '../../helpers/clusterProblem';
import { StorageFindingList } from '../StorageFindingList';
import { clustersGate } from '../../helpers/clustersGate';
import { useEntityAnswer } from '../../helpers/useEntityAnswer';
import { EntityObservabilityLinks } from '../EntityObservabilityLinks';

function ClusterStorageSection(props: {
  cluster: ClusterStorage;
  costs?: { currency: string | null; claims: Map<string, ClaimCost> };
}) {
  const { cluster, costs } = props;
  return (
    <Grid
      item
      xs={12}
      component="section"
      aria-label={`storage in cluster ${cluster.cluster}`}
    >
      <InfoCard
        title={`Cluster ${cluster.cluster}`}
        subheader={`${cluster.claims.length} ${
          cluster.claims.length === 1 ? 'claim' : 'claims'
        }`}
      >
        <ClusterHealth header={cluster} />
        {hasClusterData(cluster) && (
          <>
            <StorageFindingList findings={cluster.findings} />
            {cluster.claims.length > 0 && (
              <ClaimTable claims={cluster.claims} costs={costs} />
            )}
          </>
        )}
      </InfoCard>
    </Grid>
  );
}

function costsOf(cost: EntityCostResponse | undefined, cluster: string) {
  const inCluster = cost?.clusters.find(c => c.cluster === cluster);
  if (!cost || !inCluster) return undefined;
  return {
    currency: cost.currency,
    claims: claimCostsByKey(inCluster.claims),
  };
}

/**
 * The entity's "Storage" tab: every claim of its pods with the class, provider and zone of the
 * volume, size, access modes, binding mode, phase, the pods and nodes, and the findings.
 */
export function EntityStorageContent() {
  const { value, loading, error, retry } = useEntityAnswer(
    (api, ref) => api.getEntityStorage(ref),
    'storage',
  );

  // Cost is loaded on its own: the claims must show even when no price is known.
  const cost = useEntityAnswer((api, ref) => api.getEntityCost(ref), 'storage');

  const gate = clustersGate(loading, error, value?.clusters.length);
  if (gate || !value) return gate;
  return (
    <Grid container spacing={3}>
      <EntityObservabilityLinks />
      {value.clusters.map(cluster => (
        <ClusterStorageSection
          key={cluster.cluster}
          cluster={cluster}
          costs={costsOf(cost.value, cluster.cluster)}
        />
      ))}
      <Grid item xs={12}>
        <Button
          size="small"
          onClick={() => {
            retry();
            cost.retry();
          }}
        >
          Refresh
        </Button>
      </Grid>
    </Grid>
  );
}
