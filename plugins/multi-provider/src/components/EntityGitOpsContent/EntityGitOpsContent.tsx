import {
  InfoCard,
  Link,
  Progress,
  ResponseErrorPanel,
  Table,
  TableColumn,
  WarningPanel,
} from '@backstage/core-components';
import { alertApiRef, useApi } from '@backstage/frontend-plugin-api';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  ClusterGitOps,
  FluxActionRequest,
  FluxObject,
  multiProviderFluxOperatePermission,
} from '@cloudlab/plugin-multi-provider-common';
import { Box, Button, Grid, Typography } from '@material-ui/core';
import { useState } from 'react';
import { multiProviderApiRef } from '../../api';
import { isPlacementAvailable } from '../../isPlacementAvailable';
import { ClusterHealth } from '../ClusterHealth';
import { hasClusterData } from '../../helpers/clusterProblem';
import { DependencyChain } from '../DependencyChain';
import { EntitySecretsCard } from '../EntitySecretsCard';
import { GitOpsStatus, ReasonCell } from '../GitOpsStatus';
import { useEntityAnswer } from '../../helpers/useEntityAnswer';
import { gitopsChannels } from '../../helpers/useLiveAsync';
import { EntityObservabilityLinks } from '../EntityObservabilityLinks';

/** A revision shortened for display: `main@sha1:0123456789ab…` → `main@sha1:0123456`. */
export const shortRevision = (r?: string) =>
  r?.replace(/(sha1|sha256):([0-9a-f]{7})[0-9a-f]+/, '$1:$2') ?? '—';

function Actions(props: { object: FluxObject; onDone: () => void }) {
  const { object, onDone } = props;
  const api = useApi(multiProviderApiRef);
  const alerts = useApi(alertApiRef);
  const [busy, setBusy] = useState(false);
  const run = async (action: FluxActionRequest['action']) => {
    setBusy(true);
    try {
      await api.fluxAction({
        cluster: object.cluster,
        kind: object.kind,
        namespace: object.namespace,
        name: object.name,
        action,
      });
      alerts.post({
        message: `${action} requested for ${object.kind} ${object.namespace}/${object.name}`,
        severity: 'success',
        display: 'transient',
      });
      setTimeout(onDone, 1500);
    } catch (e) {
      alerts.post({ message: (e as Error).message, severity: 'error' });
    } finally {
      setBusy(false);
    }
  };
  if (object.state === 'missing') return null;
  return (
    <Box display="flex" gridGap={4}>
      <Button
        size="small"
        variant="outlined"
        disabled={busy}
        onClick={() => run('reconcile')}
      >
        Reconcile now
      </Button>
      <Button
        size="small"
        disabled={busy}
        onClick={() => run(object.suspended ? 'resume' : 'suspend')}
      >
        {object.suspended ? 'Resume' : 'Suspend'}
      </Button>
    </Box>
  );
}

function objectColumns(
  canOperate: boolean,
  onDone: () => void,
): TableColumn<FluxObject>[] {
  const columns: TableColumn<FluxObject>[] = [
    { title: 'Kind', field: 'kind' },
    { title: 'Object', render: o => `${o.namespace}/${o.name}` },
    { title: 'State', render: o => <GitOpsStatus value={o.state} /> },
    {
      title: 'Reason',
      render: o => <ReasonCell reason={o.reason} message={o.message} />,
    },
    { title: 'Applied', render: o => shortRevision(o.lastAppliedRevision) },
    { title: 'Attempted', render: o => shortRevision(o.lastAttemptedRevision) },
    { title: 'Suspended', render: o => (o.suspended ? 'yes' : 'no') },
  ];
  if (canOperate) {
    columns.push({
      title: 'Actions',
      render: o => <Actions object={o} onDone={onDone} />,
    });
  }
  return columns;
}

type InventoryRow = NonNullable<FluxObject['inventory']>[number] & {
  id: string;
  applier: string;
};

function ClusterSection(props: {
  cluster: ClusterGitOps;
  canOperate: boolean;
  placementHref?: string;
  onDone: () => void;
}) {
  const { cluster, canOperate, placementHref, onDone } = props;
  const inventory: InventoryRow[] = cluster.objects.flatMap(o =>
    (o.inventory ?? []).map(e => ({
      ...e,
      id: `${o.name}/${e.group}/${e.kind}/${e.namespace}/${e.name}`,
      applier: o.name,
    })),
  );
  return (
    <Grid
      item
      xs={12}
      component="section"
      aria-label={`GitOps in cluster ${cluster.cluster}`}
    >
      <Typography variant="h5" gutterBottom>
        Cluster {cluster.cluster}
      </Typography>
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
        <Grid container spacing={3}>
          <Grid item xs={12}>
            <Table
              title="Flux objects"
              options={{ paging: false, search: false, padding: 'dense' }}
              columns={objectColumns(canOperate, onDone)}
              data={[...cluster.objects, ...cluster.related]}
            />
          </Grid>
          <Grid item xs={12}>
            <InfoCard
              title="Dependency chain"
              subheader="dependsOn, sources and the Kustomization applying it"
            >
              {cluster.links.length ? (
                <DependencyChain
                  objects={cluster.objects}
                  related={cluster.related}
                  links={cluster.links}
                />
              ) : (
                <Typography variant="body2">No dependencies.</Typography>
              )}
            </InfoCard>
          </Grid>
          {inventory.length > 0 && (
            <Grid item xs={12}>
              <Table<InventoryRow>
                title="Inventory (what Flux applied)"
                options={{
                  paging: inventory.length > 20,
                  pageSize: 20,
                  search: true,
                  padding: 'dense',
                }}
                columns={[
                  { title: 'Kind', field: 'kind' },
                  { title: 'Namespace', field: 'namespace' },
                  { title: 'Name', field: 'name' },
                  { title: 'Applied by', field: 'applier' },
                  {
                    title: 'Placement',
                    render: e =>
                      e.placement ? (
                        <>
                          {e.placement.pods} pod(s) on{' '}
                          {e.placement.nodes.join(', ') || 'no node'}
                          {placementHref && (
                            <>
                              {' · '}
                              <Link to={placementHref}>where it runs</Link>
                            </>
                          )}
                        </>
                      ) : (
                        ''
                      ),
                  },
                ]}
                data={inventory}
              />
            </Grid>
          )}
        </Grid>
      )}
    </Grid>
  );
}

/**
 * The entity's "GitOps" tab: the roll-up verdict, its Flux objects with state, reason,
 * revisions and suspend flag, the dependency chain as a picture, the inventory with links to
 * placement, the secret-sync card, and (for operators) reconcile / suspend / resume.
 */
export function EntityGitOpsContent() {
  const { allowed: canOperate } = usePermission({
    permission: multiProviderFluxOperatePermission,
  });
  const { value, loading, error, retry, entity, ref } = useEntityAnswer(
    (api, r) => api.getEntityGitOps(r),
    gitopsChannels,
  );
  if (loading && !value) return <Progress />;
  if (error) return <ResponseErrorPanel error={error} />;
  if (!value) return null;
  const placementHref = isPlacementAvailable(entity)
    ? `/catalog/${encodeURIComponent(ref.namespace)}/${encodeURIComponent(
        ref.kind,
      )}/${encodeURIComponent(ref.name)}/placement`
    : undefined;
  const { rollup } = value;
  return (
    <Grid container spacing={3}>
      <EntityObservabilityLinks />
      <Grid item xs={12}>
        <InfoCard title="GitOps roll-up">
          <Box aria-label="roll-up verdict" role="status">
            <Typography variant="h4" component="div">
              <GitOpsStatus value={rollup.verdict} />
            </Typography>
            <Typography variant="body1">{rollup.summary}</Typography>
            {rollup.reason && (
              <Typography variant="body2" color="textSecondary">
                <strong>{rollup.reason}</strong>
                {rollup.message ? `: ${rollup.message}` : ''}
              </Typography>
            )}
          </Box>
        </InfoCard>
      </Grid>
      {value.clusters.map(cluster => (
        <ClusterSection
          key={cluster.cluster}
          cluster={cluster}
          canOperate={canOperate}
          placementHref={placementHref}
          onDone={retry}
        />
      ))}
      <Grid item xs={12}>
        <EntitySecretsCard />
      </Grid>
      <Grid item xs={12}>
        <Button size="small" onClick={retry}>
          Refresh
        </Button>
      </Grid>
    </Grid>
  );
}
