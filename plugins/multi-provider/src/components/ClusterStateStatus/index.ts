export {
  ClusterStateStatus,
  type ClusterStateStatusProps,
} from './ClusterStateStatus';
