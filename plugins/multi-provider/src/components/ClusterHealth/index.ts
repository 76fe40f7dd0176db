export { ClusterHealth, type ClusterHealthProps } from './ClusterHealth';
