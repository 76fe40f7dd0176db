import {
  InfoCard,
  StatusError,
  StatusOK,
  StatusWarning,
} from '@backstage/core-components';
import { List, ListItem, ListItemText, Typography } from '@material-ui/core';
import type { PlatformCluster } from '@cloudlab/plugin-multi-provider-common';

/** Nodes listed before the rest are summarised as a count. */
const MAX_LISTED = 20;

/** Props of {@link DataLocalityCard}. */
export interface DataLocalityCardProps {
  cluster: PlatformCluster;
}

/** Where each region stands with EU data locality, and which nodes break it. */
export function dataLocality(cluster: PlatformCluster) {
  let nodes = 0;
  const unknown: string[] = [];
  for (const provider of cluster.providers) {
    for (const region of provider.regions) {
      for (const zone of region.zones) {
        for (const node of zone.nodes) {
          nodes += 1;
          if (node.eu === null && !node.nonEu) unknown.push(node.name);
        }
      }
    }
  }
  return { nodes, nonEu: cluster.nonEuNodes, unknown };
}

/** The EU data-locality state of a cluster: every node in the EU, or the ones that are not. */
export function DataLocalityCard(props: DataLocalityCardProps) {
  const { cluster } = props;
  const { nodes, nonEu, unknown } = dataLocality(cluster);
  return (
    <InfoCard title="EU data locality" subheader={`cluster ${cluster.cluster}`}>
      {nonEu.length > 0 && (
        <StatusError>
          {nonEu.length} of {nodes} nodes run outside the EU
        </StatusError>
      )}
      {nonEu.length === 0 && nodes > 0 && (
        <StatusOK>All {nodes} nodes run in EU regions</StatusOK>
      )}
      {nodes === 0 && (
        <Typography color="textSecondary">
          No nodes reported: nothing to judge.
        </Typography>
      )}
      {unknown.length > 0 && (
        <Typography>
          <StatusWarning>
            {unknown.length} nodes in regions the provider registry does not
            know
          </StatusWarning>
        </Typography>
      )}
      {nonEu.length > 0 && (
        <List dense aria-label="nodes outside the EU">
          {nonEu.slice(0, MAX_LISTED).map(name => (
            <ListItem key={name}>
              <ListItemText primary={name} />
            </ListItem>
          ))}
          {nonEu.length > MAX_LISTED && (
            <ListItem>
              <ListItemText
                secondary={`and ${nonEu.length - MAX_LISTED} more`}
              />
            </ListItem>
          )}
        </List>
      )}
    </InfoCard>
  );
}
