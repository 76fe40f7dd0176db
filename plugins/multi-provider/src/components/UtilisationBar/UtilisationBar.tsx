import { makeStyles, Tooltip, Typography } from '@material-ui/core';
import { percent, utilisationLevel } from '../../helpers/format';
import { levelColor } from './levelColor';

const useStyles = makeStyles(theme => ({
  row: {
    display: 'grid',
    gridTemplateColumns: '4.5em 1fr 3.5em',
    alignItems: 'center',
    gap: theme.spacing(1),
  },
  track: {
    height: 10,
    borderRadius: 5,
    background: theme.palette.action.hover,
    overflow: 'hidden',
  },
  fill: { height: '100%', borderRadius: 5 },
}));

/** Props of {@link UtilisationBar}. */
export interface UtilisationBarProps {
  /** What is measured: `CPU`, `Memory`. */
  label: string;
  /** `requested / allocatable`; above 1 is drawn full and read as full. */
  value: number;
  /** Requested of allocatable in words, shown on hover. */
  detail: string;
}

/** Requested against allocatable as a coloured bar, with the figures on hover. */
export function UtilisationBar(props: UtilisationBarProps) {
  const { label, value, detail } = props;
  const classes = useStyles();
  const level = utilisationLevel(value);
  return (
    <Tooltip title={`${label}: ${detail} requested`}>
      <div
        className={classes.row}
        role="meter"
        aria-label={`${label} requested`}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.round(value * 100)}
        aria-valuetext={`${percent(value)} (${detail})`}
      >
        <Typography variant="caption">{label}</Typography>
        <div className={classes.track}>
          <div
            className={classes.fill}
            style={{
              width: `${Math.min(100, value * 100)}%`,
              background: levelColor(level),
            }}
          />
        </div>
        <Typography variant="caption" align="right">
          {percent(value)}
        </Typography>
      </div>
    </Tooltip>
  );
}
