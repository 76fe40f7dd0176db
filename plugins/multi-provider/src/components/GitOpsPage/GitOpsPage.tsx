import {
  Progress,
  ResponseErrorPanel,
  Table,
  WarningPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import { Container } from '@backstage/ui';
import {
  PlatformFluxObject,
  RollupVerdict,
  rollupVerdictSchema,
} from '@cloudlab/plugin-multi-provider-common';
import { Box, Chip, Grid, Typography } from '@material-ui/core';
import { useState } from 'react';
import { multiProviderApiRef } from '../../api';
import { gitopsChannels, useLiveAsync } from '../../helpers/useLiveAsync';
import { ClusterHealth } from '../ClusterHealth';
import { hasClusterData } from '../../helpers/clusterProblem';
import { shortRevision } from '../EntityGitOpsContent/EntityGitOpsContent';
import { GitOpsStatus, ReasonCell } from '../GitOpsStatus';

/**
 * The platform's GitOps section: every Flux object of every cluster with its roll-up (its own
 * state and its dependency chain's), filterable by verdict.
 */
export function GitOpsPage() {
  const api = useApi(multiProviderApiRef);
  const [filter, setFilter] = useState<RollupVerdict[]>([]);
  const { value, loading, error } = useLiveAsync(
    () => api.getPlatformGitOps({ state: filter.join(',') || undefined }),
    [api, filter.join(',')],
    gitopsChannels,
  );
  const toggle = (v: RollupVerdict) =>
    setFilter(f => (f.includes(v) ? f.filter(x => x !== v) : [...f, v]));
  return (
    <Container my="4">
      <Grid container spacing={3}>
        <Grid item xs={12}>
          <Typography variant="h4">GitOps</Typography>
          <Typography variant="body2" color="textSecondary">
            Every Flux Kustomization, HelmRelease and source of every cluster,
            with its roll-up.
          </Typography>
          <Box
            mt={1}
            display="flex"
            gridGap={8}
            flexWrap="wrap"
            role="group"
            aria-label="filter by verdict"
          >
            {rollupVerdictSchema.options.map(v => {
              const count = value?.clusters.reduce(
                (n, c) => n + (c.counts[v] ?? 0),
                0,
              );
              return (
                <Chip
                  key={v}
                  label={`${v}${
                    count !== undefined && filter.length === 0
                      ? ` (${count})`
                      : ''
                  }`}
                  color={filter.includes(v) ? 'primary' : 'default'}
                  onClick={() => toggle(v)}
                  aria-pressed={filter.includes(v)}
                />
              );
            })}
          </Box>
        </Grid>
        {loading && !value && (
          <Grid item xs={12}>
            <Progress />
          </Grid>
        )}
        {error && (
          <Grid item xs={12}>
            <ResponseErrorPanel error={error} />
          </Grid>
        )}
        {value?.clusters.map(cluster => (
          <Grid
            item
            xs={12}
            key={cluster.cluster}
            component="section"
            aria-label={`Flux objects of ${cluster.cluster}`}
          >
            <ClusterHealth header={cluster} />
            {hasClusterData(cluster) && cluster.unavailable.length > 0 && (
              <WarningPanel
                severity="info"
                title={`Cluster ${cluster.cluster} does not serve every Flux resource`}
                message={cluster.unavailable
                  .map(u => `${u.resource}: ${u.error}`)
                  .join('\n')}
              />
            )}
            {hasClusterData(cluster) && (
              <Table<PlatformFluxObject>
                title={`Cluster ${cluster.cluster}`}
                options={{ paging: false, search: true, padding: 'dense' }}
                columns={[
                  { title: 'Kind', field: 'kind' },
                  { title: 'Namespace', field: 'namespace' },
                  { title: 'Name', field: 'name' },
                  {
                    title: 'Roll-up',
                    render: o => <GitOpsStatus value={o.rollup.verdict} />,
                  },
                  {
                    title: 'State',
                    render: o => <GitOpsStatus value={o.state} />,
                  },
                  {
                    title: 'Reason',
                    render: o => (
                      <ReasonCell
                        reason={o.rollup.reason ?? o.reason}
                        message={[
                          o.rollup.verdict !== 'healthy'
                            ? o.rollup.summary
                            : '',
                          o.rollup.message ?? '',
                        ]
                          .filter(Boolean)
                          .join(' — ')}
                      />
                    ),
                  },
                  {
                    title: 'Revision',
                    render: o => shortRevision(o.lastAppliedRevision),
                  },
                  {
                    title: 'Suspended',
                    render: o => (o.suspended ? 'yes' : 'no'),
                  },
                ]}
                data={cluster.objects}
              />
            )}
          </Grid>
        ))}
      </Grid>
    </Container>
  );
}
