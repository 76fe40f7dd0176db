import { Button, Grid } from '@material-ui/core';
import { ClusterPlacementCard } from '../ClusterPlacementCard';
import { clustersGate } from '../../helpers/clustersGate';
import { useEntityAnswer } from '../../helpers/useEntityAnswer';
import { EntityObservabilityLinks } from '../EntityObservabilityLinks';

/**
 * The entity's "Placement" tab: where its pods run in every cluster, by provider,
 * region, zone and node, and whether that matches what they asked for.
 */
export function EntityPlacementContent() {
  const { value, loading, error, retry } = useEntityAnswer((api, ref) =>
    api.getEntityPlacement(ref),
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
      <Grid item xs={12}>
        <Button size="small" onClick={retry}>
          Refresh
        </Button>
      </Grid>
    </Grid>
  );
}
