export { multiProviderApi } from './apis';
export { entityPlacementContent } from './entityContents';
export { providersPage } from './pages';
