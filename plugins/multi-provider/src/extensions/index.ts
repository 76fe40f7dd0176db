export { multiProviderApi } from './apis';
export { entityPlacementContent, entityStorageContent } from './entityContents';
export { providersPage, storagePage } from './pages';
