import { makeStyles } from '@material-ui/core';
import type { PlatformNode } from '@cloudlab/plugin-multi-provider-common';
import {
  formatBytes,
  formatCpu,
  percent,
  utilisation,
  utilisationLevel,
} from '../../helpers/format';
import { levelColor } from '../UtilisationBar';

const CELL = 18;
const GAP = 4;

const useStyles = makeStyles(theme => ({
  svg: { display: 'block', maxWidth: '100%' },
  notReady: { fill: theme.palette.grey[500] },
}));

/** Props of {@link NodeHeatGrid}. */
export interface NodeHeatGridProps {
  nodes: PlatformNode[];
  /** Cells per row; the grid wraps beyond it. */
  columns?: number;
}

/** What one node's cell says on hover and to a screen reader. */
export function describeNode(node: PlatformNode): string {
  const u = utilisation(node);
  const flags = [
    !node.ready && 'not ready',
    node.unschedulable && 'cordoned',
    node.nonEu && 'outside the EU',
    node.taints.length > 0 && `taints ${node.taints.join(', ')}`,
  ].filter(Boolean);
  const cpu = `CPU ${percent(u.cpu)} (${formatCpu(
    node.requested.cpuMillis,
  )} of ${formatCpu(node.allocatable.cpuMillis)})`;
  const memory = `memory ${percent(u.memory)} (${formatBytes(
    node.requested.memoryBytes,
  )} of ${formatBytes(node.allocatable.memoryBytes)})`;
  const summary = `${node.name}: ${cpu}, ${memory}, ${node.podCount} pods`;
  return flags.length ? `${summary}; ${flags.join('; ')}` : summary;
}

/**
 * One square per node, coloured by the larger of its CPU and memory request ratios.
 * Not-ready nodes are grey, cordoned ones hollow, nodes outside the EU outlined in red.
 * Plain SVG, so a zone of a thousand nodes stays one cheap element.
 */
export function NodeHeatGrid(props: NodeHeatGridProps) {
  const { nodes, columns = 24 } = props;
  const classes = useStyles();
  const perRow = Math.max(1, Math.min(columns, nodes.length));
  const rows = Math.ceil(nodes.length / perRow);
  const width = perRow * (CELL + GAP);
  const height = rows * (CELL + GAP);
  return (
    <svg
      className={classes.svg}
      width={width}
      height={height}
      viewBox={`0 0 ${width} ${height}`}
      role="img"
      aria-label={`${nodes.length} nodes`}
    >
      {nodes.map((node, i) => {
        const x = (i % perRow) * (CELL + GAP) + GAP / 2;
        const y = Math.floor(i / perRow) * (CELL + GAP) + GAP / 2;
        const color = levelColor(utilisationLevel(utilisation(node).max));
        return (
          <rect
            key={node.name}
            data-testid={`node-${node.name}`}
            x={x}
            y={y}
            width={CELL}
            height={CELL}
            rx={3}
            className={node.ready ? undefined : classes.notReady}
            fill={node.ready ? color : undefined}
            fillOpacity={node.unschedulable ? 0.25 : 1}
            stroke={node.nonEu ? '#d62728' : 'none'}
            strokeWidth={node.nonEu ? 3 : 0}
            strokeDasharray={node.nonEu ? '3 2' : undefined}
          >
            <title>{describeNode(node)}</title>
          </rect>
        );
      })}
    </svg>
  );
}
