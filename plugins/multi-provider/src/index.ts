/**
 * Cloudlab's multi-provider frontend plugin: where every workload runs and what a
 * provider outage takes down.
 *
 * @packageDocumentation
 */
export { multiProviderPlugin as default } from './plugin';
export {
  multiProviderApiRef,
  MultiProviderClient,
  InvalidResponseError,
  type MultiProviderApi,
} from './api';
export { isPlacementAvailable } from './isPlacementAvailable';
export { isGitOpsAvailable } from './isGitOpsAvailable';
