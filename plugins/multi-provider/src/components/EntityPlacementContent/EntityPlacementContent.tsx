import { getCompoundEntityRef } from '@backstage/catalog-model';
import {
  EmptyState,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import { Button, Grid } from '@material-ui/core';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { multiProviderApiRef } from '../../api';
import { ClusterPlacementCard } from '../ClusterPlacementCard';

/**
 * The entity's "Placement" tab: where its pods run in every cluster, by provider,
 * region, zone and node, and whether that matches what they asked for.
 */
export function EntityPlacementContent() {
  const { entity } = useEntity();
  const api = useApi(multiProviderApiRef);
  const { kind, namespace, name } = getCompoundEntityRef(entity);
  // Lower case, as in `stringifyEntityRef`: one URL per entity whatever the spelling.
  const ref = { kind: kind.toLocaleLowerCase('en-US'), namespace, name };
  const { value, loading, error, retry } = useAsyncRetry(
    () => api.getEntityPlacement(ref),
    [api, ref.namespace, ref.kind, ref.name],
  );

  if (loading) return <Progress />;
  if (error) return <ResponseErrorPanel error={error} />;
  if (!value || value.clusters.length === 0) {
    return (
      <EmptyState
        missing="data"
        title="No clusters configured"
        description="The multi-provider backend has no cluster to look in."
      />
    );
  }
  return (
    <Grid container spacing={3}>
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
