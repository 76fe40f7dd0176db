export { multiProviderApi } from './apis';
export {
  entityGitOpsContent,
  entityPlacementContent,
  entitySecretsCard,
  entityStorageContent,
} from './entityContents';
export { gitopsPage, providersPage, storagePage } from './pages';
