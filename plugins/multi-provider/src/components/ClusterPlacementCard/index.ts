export {
  ClusterPlacementCard,
  type ClusterPlacementCardProps,
} from './ClusterPlacementCard';
