export {
  NodeHeatGrid,
  describeNode,
  type NodeHeatGridProps,
} from './NodeHeatGrid';
