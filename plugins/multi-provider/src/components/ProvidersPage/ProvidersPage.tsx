import { Progress, ResponseErrorPanel } from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import { Container } from '@backstage/ui';
import { Grid, Typography } from '@material-ui/core';
import {
  platformLiveChannel,
  type PlatformCluster,
} from '@cloudlab/plugin-multi-provider-common';
import { useMemo } from 'react';
import { multiProviderApiRef } from '../../api';
import { useLiveAsync } from '../../helpers/useLiveAsync';
import { failureDomainOptions } from '../../helpers/failureDomain';
import { ClusterHealth } from '../ClusterHealth';
import { hasClusterData } from '../../helpers/clusterProblem';
import { ClusterStatusTable } from '../ClusterStatusTable';
import { DataLocalityCard } from '../DataLocalityCard';
import { FailureDomainPanel } from '../FailureDomainPanel';
import { ProviderMap } from '../ProviderMap';
import { PlatformCostSection } from '../PlatformCostSection';

function ClusterSection(props: { cluster: PlatformCluster }) {
  const { cluster } = props;
  return (
    <Grid
      item
      xs={12}
      component="section"
      aria-label={`cluster ${cluster.cluster}`}
    >
      <Typography variant="h5" gutterBottom>
        Cluster {cluster.cluster}
      </Typography>
      <ClusterHealth header={cluster} />
      {hasClusterData(cluster) && (
        <Grid container spacing={3}>
          <Grid item xs={12} lg={9}>
            <ProviderMap cluster={cluster} />
          </Grid>
          <Grid item xs={12} lg={3}>
            <DataLocalityCard cluster={cluster} />
          </Grid>
        </Grid>
      )}
    </Grid>
  );
}

/**
 * The platform page: every cluster's provider → region → zone → node map with
 * utilisation, the EU data-locality state, cluster health and the failure-domain
 * simulation.
 */
export function ProvidersPage() {
  const api = useApi(multiProviderApiRef);
  // All three follow the platform placement channel: its version moves with every node, pod
  // and cluster state change, which is everything the three read from the caches.
  const live = [platformLiveChannel('placement')];
  const platform = useLiveAsync(() => api.getPlatformPlacement(), [api], live);
  // Cluster health is loaded on its own: it must show even when the map cannot.
  const clusters = useLiveAsync(() => api.getClusters(), [api], live);
  // Cost as well: the map must show even when no price is known.
  const cost = useLiveAsync(() => api.getPlatformCost(), [api], live);
  const options = useMemo(
    () => (platform.value ? failureDomainOptions(platform.value) : []),
    [platform.value],
  );

  return (
    <Container my="4">
      <Grid container spacing={3}>
        <Grid item xs={12}>
          {clusters.error && <ResponseErrorPanel error={clusters.error} />}
          {clusters.value && (
            <ClusterStatusTable clusters={clusters.value.clusters} />
          )}
        </Grid>
        {platform.loading && (
          <Grid item xs={12}>
            <Progress />
          </Grid>
        )}
        {platform.error && (
          <Grid item xs={12}>
            <ResponseErrorPanel error={platform.error} />
          </Grid>
        )}
        {platform.value?.clusters.map(cluster => (
          <ClusterSection key={cluster.cluster} cluster={cluster} />
        ))}
        {cost.value && (
          <Grid item xs={12} component="section" aria-label="cost">
            <PlatformCostSection cost={cost.value} />
          </Grid>
        )}
        {cost.error && (
          <Grid item xs={12}>
            <ResponseErrorPanel error={cost.error} />
          </Grid>
        )}
        {platform.value && (
          <Grid item xs={12}>
            <FailureDomainPanel options={options} />
          </Grid>
        )}
      </Grid>
    </Container>
  );
}
