export { multiProviderApi } from './apis';
export {
  entityGitOpsContent,
  entityPlacementContent,
  entitySecretsCard,
} from './entityContents';
export { gitopsPage, providersPage } from './pages';
