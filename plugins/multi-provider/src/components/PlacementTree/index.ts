export { PlacementTree, type PlacementTreeProps } from './PlacementTree';
