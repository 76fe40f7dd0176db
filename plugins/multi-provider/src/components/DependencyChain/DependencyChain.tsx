import type {
  DependencyLink,
  FluxObject,
  FluxObjectRef,
} from '@cloudlab/plugin-multi-provider-common';
import { Box, Tooltip, Typography, makeStyles } from '@material-ui/core';
import ArrowForwardIcon from '@material-ui/icons/ArrowForward';
import { Fragment } from 'react';
import { GitOpsStatus, Tone, toneOf } from '../GitOpsStatus';

const useStyles = makeStyles(theme => ({
  column: {
    display: 'flex',
    flexDirection: 'column',
    gap: theme.spacing(1),
    minWidth: 200,
  },
  node: {
    border: `2px solid ${theme.palette.divider}`,
    borderRadius: theme.shape.borderRadius,
    padding: theme.spacing(0.5, 1),
    background: theme.palette.background.paper,
  },
  ok: { borderColor: theme.palette.success.main },
  pending: { borderColor: theme.palette.info.main },
  warning: { borderColor: theme.palette.warning.main },
  error: { borderColor: theme.palette.error.main },
  aborted: { borderColor: theme.palette.grey[500] },
  arrow: { alignSelf: 'center', color: theme.palette.text.secondary },
}));

const refKey = (r: FluxObjectRef) => `${r.kind}/${r.namespace}/${r.name}`;

/**
 * Lays out objects in columns by distance from the entity's own objects: column 0 is the
 * entity, column n what column n-1 depends on (`dependsOn`, source, applier).
 */
export function chainColumns(
  own: FluxObject[],
  related: FluxObject[],
  links: DependencyLink[],
): FluxObject[][] {
  const byKey = new Map([...own, ...related].map(o => [refKey(o), o]));
  const depth = new Map(own.map(o => [refKey(o), 0]));
  const queue = own.map(refKey);
  while (queue.length) {
    const from = queue.shift()!;
    for (const l of links.filter(x => refKey(x.from) === from)) {
      const to = refKey(l.to);
      if (!depth.has(to)) {
        depth.set(to, depth.get(from)! + 1);
        queue.push(to);
      }
    }
  }
  const columns: FluxObject[][] = [];
  for (const [key, d] of depth) {
    const o = byKey.get(key);
    if (o) (columns[d] ??= []).push(o);
  }
  return columns.filter(Boolean);
}

/** The `dependsOn` chain as a picture: columns of objects, each bordered in its state's colour. */
export function DependencyChain(props: {
  objects: FluxObject[];
  related: FluxObject[];
  links: DependencyLink[];
}) {
  const classes = useStyles();
  const columns = chainColumns(props.objects, props.related, props.links);
  const why = (o: FluxObject) =>
    props.links
      .filter(l => refKey(l.to) === refKey(o))
      .map(l => `${l.from.name} ${l.relation} ${o.name}`)
      .join('; ');
  return (
    <Box
      display="flex"
      gridGap={16}
      alignItems="stretch"
      overflow="auto"
      role="figure"
      aria-label="dependency chain"
    >
      {columns.map((column, i) => (
        <Fragment key={i}>
          {i > 0 && <ArrowForwardIcon className={classes.arrow} />}
          <div className={classes.column}>
            <Typography variant="overline">
              {i === 0 ? 'this entity' : `depends on (${i})`}
            </Typography>
            {column.map(o => (
              <Tooltip key={refKey(o)} title={o.message ?? why(o) ?? ''}>
                <div
                  className={`${classes.node} ${
                    classes[toneOf(o.state) as Tone]
                  }`}
                  data-testid={`chain-${o.kind}-${o.name}`}
                >
                  <Typography variant="body2">
                    <strong>{o.name}</strong>
                  </Typography>
                  <Typography variant="caption" color="textSecondary">
                    {o.kind} · {o.namespace}
                  </Typography>
                  <div>
                    <GitOpsStatus value={o.state} />
                    {o.reason && o.state !== 'ready' ? ` ${o.reason}` : ''}
                  </div>
                </div>
              </Tooltip>
            ))}
          </div>
        </Fragment>
      ))}
    </Box>
  );
}
