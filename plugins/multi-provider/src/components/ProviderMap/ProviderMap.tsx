import { InfoCard } from '@backstage/core-components';
import { Chip, Grid, makeStyles, Typography } from '@material-ui/core';
import type {
  PlatformCluster,
  PlatformProvider,
  Usage,
} from '@cloudlab/plugin-multi-provider-common';
import { formatBytes, formatCpu, utilisation } from '../../helpers/format';
import { NodeHeatGrid } from '../NodeHeatGrid';
import { UtilisationBar } from '../UtilisationBar';

const useStyles = makeStyles(theme => ({
  region: { marginTop: theme.spacing(2) },
  zone: {
    marginTop: theme.spacing(1),
    paddingLeft: theme.spacing(2),
    borderLeft: `2px solid ${theme.palette.divider}`,
  },
  heading: { display: 'flex', alignItems: 'center', gap: theme.spacing(1) },
  bars: { maxWidth: 420 },
}));

function nodeCount(provider: PlatformProvider): number {
  return provider.regions.reduce(
    (n, r) => n + r.zones.reduce((m, z) => m + z.nodes.length, 0),
    0,
  );
}

function UsageBars(props: { usage: Usage }) {
  const { usage } = props;
  const classes = useStyles();
  const u = utilisation(usage);
  return (
    <div className={classes.bars}>
      <UtilisationBar
        label="CPU"
        value={u.cpu}
        detail={`${formatCpu(usage.requested.cpuMillis)} of ${formatCpu(
          usage.allocatable.cpuMillis,
        )}`}
      />
      <UtilisationBar
        label="Memory"
        value={u.memory}
        detail={`${formatBytes(usage.requested.memoryBytes)} of ${formatBytes(
          usage.allocatable.memoryBytes,
        )}`}
      />
    </div>
  );
}

function ProviderCard(props: { provider: PlatformProvider }) {
  const { provider } = props;
  const classes = useStyles();
  const nodes = nodeCount(provider);
  return (
    <section aria-label={`provider ${provider.name}`}>
      <InfoCard
        title={provider.displayName}
        subheader={`${nodes} ${nodes === 1 ? 'node' : 'nodes'} · ${
          provider.podCount
        } pods · ${provider.regions.length} ${
          provider.regions.length === 1 ? 'region' : 'regions'
        }`}
        action={
          provider.known ? undefined : (
            <Chip size="small" label="not in the provider registry" />
          )
        }
      >
        <div>
          <UsageBars usage={provider} />
          {provider.regions.map(region => (
            <div key={region.name} className={classes.region}>
              <div className={classes.heading}>
                <Typography variant="subtitle1">
                  Region {region.name}
                </Typography>
                {region.eu === true && (
                  <Chip size="small" color="primary" label="EU" />
                )}
                {region.nonEu && (
                  <Chip size="small" color="secondary" label="outside the EU" />
                )}
                {region.eu === null && (
                  <Chip size="small" label="EU status unknown" />
                )}
              </div>
              {region.zones.map(zone => (
                <div key={zone.name} className={classes.zone}>
                  <Typography variant="body2">
                    Zone {zone.name} · {zone.nodes.length} nodes ·{' '}
                    {zone.podCount} pods
                  </Typography>
                  <UsageBars usage={zone} />
                  <NodeHeatGrid nodes={zone.nodes} />
                </div>
              ))}
            </div>
          ))}
        </div>
      </InfoCard>
    </section>
  );
}

/** Props of {@link ProviderMap}. */
export interface ProviderMapProps {
  cluster: PlatformCluster;
}

/**
 * A cluster's providers side by side: each with its regions and zones, requested
 * against allocatable CPU and memory, and every node as a cell of a heat grid.
 */
export function ProviderMap(props: ProviderMapProps) {
  const { cluster } = props;
  if (cluster.providers.length === 0) {
    return (
      <Typography color="textSecondary">
        No nodes reported for cluster {cluster.cluster}.
      </Typography>
    );
  }
  return (
    <Grid container spacing={3}>
      {cluster.providers.map(provider => (
        <Grid item xs={12} md={6} key={provider.name}>
          <ProviderCard provider={provider} />
        </Grid>
      ))}
    </Grid>
  );
}
