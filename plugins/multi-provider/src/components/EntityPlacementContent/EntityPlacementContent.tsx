import { Button, Grid } from '@material-ui/core';
import { ClusterPlacementCard } from '../ClusterPlacementCard';
import { clustersGate } from '../../helpers/clustersGate';
import { useEntityAnswer } from '../../helpers/useEntityAnswer';
import { EntityObservabilityLinks } from '../EntityObservabilityLinks';
import { EntityCostCard } from '../EntityCostCard';

/**
 * The entity's "Placement" tab: where its pods run in every cluster, by provider,
 * region, zone and node, and whether that matches what they asked for.
 */
export function EntityPlacementContent() {
  // Both follow the entity's placement channel: a pod that moves changes both.
  const { value, loading, error, retry } = useEntityAnswer(
    (api, ref) => api.getEntityPlacement(ref),
    'placement',
  );

  // Cost is loaded on its own: the placement must show even when no price is known.
  const cost = useEntityAnswer(
    (api, ref) => api.getEntityCost(ref),
    'placement',
  );

  const gate = clustersGate(loading, error, value?.clusters.length);
  if (gate || !value) return gate;
  return (
    <Grid container spacing={3}>
      <EntityObservabilityLinks />
      {value.clusters.map(cluster => (
        <Grid item xs={12} key={cluster.cluster}>
          <ClusterPlacementCard placement={cluster} />
        </Grid>
      ))}
      {cost.value && (
        <Grid item xs={12}>
          <EntityCostCard cost={cost.value} />
        </Grid>
      )}
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
