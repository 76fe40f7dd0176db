export {
  ClusterStatusTable,
  type ClusterStatusTableProps,
} from './ClusterStatusTable';
