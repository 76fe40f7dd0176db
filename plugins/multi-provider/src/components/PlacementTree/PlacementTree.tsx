import {
  Accordion,
  AccordionDetails,
  AccordionSummary,
  Button,
  Chip,
  makeStyles,
  Typography,
} from '@material-ui/core';
import ExpandMoreIcon from '@material-ui/icons/ExpandMore';
import type { PlacementProvider } from '@cloudlab/plugin-multi-provider-common';
import { useState, type ReactNode } from 'react';
import {
  countIntent,
  nodesIn,
  NODES_PER_PAGE,
  podsIn,
} from '../../helpers/entityPlacement';

const useStyles = makeStyles(theme => ({
  details: { display: 'block' },
  summary: { display: 'flex', gap: theme.spacing(1), alignItems: 'center' },
  nodes: { listStyle: 'none', margin: 0, padding: 0 },
  node: {
    display: 'flex',
    gap: theme.spacing(1),
    alignItems: 'center',
    padding: theme.spacing(0.25, 0),
  },
}));

type Region = PlacementProvider['regions'][number];
type Zone = Region['zones'][number];

function counts(n: number, one: string, many: string) {
  return `${n} ${n === 1 ? one : many}`;
}

function ZoneNodes(props: { zone: Zone }) {
  const { zone } = props;
  const classes = useStyles();
  const [shown, setShown] = useState(NODES_PER_PAGE);
  return (
    <>
      <ul className={classes.nodes} aria-label={`nodes in zone ${zone.name}`}>
        {zone.nodes.slice(0, shown).map(node => {
          const intent = countIntent(node.pods);
          return (
            <li key={node.name} className={classes.node}>
              <Typography variant="body2">{node.name}</Typography>
              <Chip
                size="small"
                label={counts(node.pods.length, 'pod', 'pods')}
              />
              {!node.ready && (
                <Chip size="small" color="secondary" label="not ready" />
              )}
              {intent.violated + intent.warning > 0 && (
                <Chip
                  size="small"
                  variant="outlined"
                  label={`${intent.violated + intent.warning} off intent`}
                />
              )}
            </li>
          );
        })}
      </ul>
      {zone.nodes.length > shown && (
        <Button size="small" onClick={() => setShown(s => s + NODES_PER_PAGE)}>
          Show {Math.min(NODES_PER_PAGE, zone.nodes.length - shown)} more of{' '}
          {zone.nodes.length - shown} nodes
        </Button>
      )}
    </>
  );
}

function Group(props: {
  title: string;
  extra?: ReactNode;
  pods: number;
  nodes: number;
  defaultExpanded: boolean;
  children: () => ReactNode;
}) {
  const classes = useStyles();
  return (
    <Accordion
      defaultExpanded={props.defaultExpanded}
      TransitionProps={{ unmountOnExit: true }}
    >
      <AccordionSummary expandIcon={<ExpandMoreIcon />}>
        <div className={classes.summary}>
          <Typography>{props.title}</Typography>
          <Chip size="small" label={counts(props.pods, 'pod', 'pods')} />
          <Chip
            size="small"
            variant="outlined"
            label={counts(props.nodes, 'node', 'nodes')}
          />
          {props.extra}
        </div>
      </AccordionSummary>
      {/* Children render only when open: a collapsed provider of 5,000 pods costs nothing. */}
      <AccordionDetails className={classes.details}>
        {props.children()}
      </AccordionDetails>
    </Accordion>
  );
}

/** Props of {@link PlacementTree}. */
export interface PlacementTreeProps {
  providers: PlacementProvider[];
  /** Open every level at first; for small services. */
  expanded: boolean;
}

/** Provider → region → zone → node, each level with its pod and node counts. */
export function PlacementTree(props: PlacementTreeProps) {
  const { providers, expanded } = props;
  return (
    <section aria-label="placement by provider, region, zone and node">
      {providers.map(provider => (
        <Group
          key={provider.name}
          title={provider.displayName}
          pods={podsIn(provider)}
          nodes={nodesIn(provider)}
          defaultExpanded={expanded}
          extra={
            !provider.known && (
              <Chip size="small" label="unknown provider" color="secondary" />
            )
          }
        >
          {() =>
            provider.regions.map(region => (
              <Group
                key={region.name}
                title={`Region ${region.name}`}
                pods={podsIn(region)}
                nodes={nodesIn(region)}
                defaultExpanded={expanded}
                extra={
                  region.eu === false && (
                    <Chip
                      size="small"
                      color="secondary"
                      label="outside the EU"
                    />
                  )
                }
              >
                {() =>
                  region.zones.map(zone => (
                    <Group
                      key={zone.name}
                      title={`Zone ${zone.name}`}
                      pods={podsIn(zone)}
                      nodes={nodesIn(zone)}
                      defaultExpanded={expanded}
                    >
                      {() => <ZoneNodes zone={zone} />}
                    </Group>
                  ))
                }
              </Group>
            ))
          }
        </Group>
      ))}
    </section>
  );
}
