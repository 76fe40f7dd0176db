import { InfoCard } from '@backstage/core-components';
import { makeStyles, Tooltip, Typography } from '@material-ui/core';
import type { StorageZone } from '@cloudlab/plugin-multi-provider-common';
import { formatBytes } from '../../helpers/format';

const useStyles = makeStyles(theme => ({
  provider: { marginBottom: theme.spacing(2) },
  zones: { display: 'flex', flexWrap: 'wrap', gap: theme.spacing(1.5) },
  tile: {
    minWidth: 150,
    padding: theme.spacing(1.5),
    borderRadius: theme.shape.borderRadius,
    border: `1px solid ${theme.palette.divider}`,
    background: theme.palette.background.default,
  },
  track: {
    height: 10,
    borderRadius: 5,
    background: theme.palette.action.hover,
    overflow: 'hidden',
    marginTop: theme.spacing(0.5),
  },
  fill: {
    height: '100%',
    borderRadius: 5,
    background: theme.palette.primary.main,
  },
  dots: { display: 'flex', flexWrap: 'wrap', gap: 3, marginTop: 6 },
  dot: { width: 8, height: 8, borderRadius: 2 },
}));

function ZoneTile(props: { zone: StorageZone }) {
  const { zone } = props;
  const classes = useStyles();
  const share =
    zone.capacityBytes > 0 ? zone.boundBytes / zone.capacityBytes : 0;
  // One square per volume (up to 60): filled = bound. Counts beyond that read from the text.
  const dots = Math.min(zone.volumes, 60);
  const boundDots = Math.round(
    (zone.boundVolumes / Math.max(1, zone.volumes)) * dots,
  );
  return (
    <Tooltip
      title={`${zone.boundVolumes} of ${
        zone.volumes
      } volumes bound; ${formatBytes(zone.boundBytes)} of ${formatBytes(
        zone.capacityBytes,
      )}`}
    >
      <div
        className={classes.tile}
        role="img"
        aria-label={`${zone.providerDisplayName} ${zone.zone}: ${zone.claims} claims, ${zone.boundVolumes} of ${zone.volumes} volumes bound`}
      >
        <Typography variant="subtitle2">{zone.zone}</Typography>
        <Typography variant="h5">{zone.claims}</Typography>
        <Typography variant="caption">
          {zone.claims === 1 ? 'claim' : 'claims'} · {zone.boundVolumes}/
          {zone.volumes} volumes bound
        </Typography>
        <div className={classes.track}>
          <div className={classes.fill} style={{ width: `${share * 100}%` }} />
        </div>
        <div className={classes.dots} aria-hidden>
          {Array.from({ length: dots }, (_, i) => (
            <span
              key={i}
              className={classes.dot}
              style={{
                background: i < boundDots ? '#3f51b5' : 'rgba(127,127,127,0.3)',
              }}
            />
          ))}
        </div>
      </div>
    </Tooltip>
  );
}

/** Provider → zone map of volumes: a tile per CSI topology domain with claims and bound share. */
export function StorageVolumeMap(props: { zones: StorageZone[] }) {
  const { zones } = props;
  const classes = useStyles();
  const providers = [...new Set(zones.map(z => z.provider))];
  return (
    <InfoCard title="Volumes by provider and zone">
      {providers.length === 0 && (
        <Typography>No volumes with a known provider.</Typography>
      )}
      {providers.map(p => {
        const list = zones.filter(z => z.provider === p);
        return (
          <section
            key={p}
            className={classes.provider}
            aria-label={`volumes of ${list[0].providerDisplayName}`}
          >
            <Typography variant="h6">{list[0].providerDisplayName}</Typography>
            <div className={classes.zones}>
              {list.map(z => (
                <ZoneTile key={z.zone} zone={z} />
              ))}
            </div>
          </section>
        );
      })}
    </InfoCard>
  );
}
