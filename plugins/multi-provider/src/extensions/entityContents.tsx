import {
  EntityCardBlueprint,
  EntityContentBlueprint,
} from '@backstage/plugin-catalog-react/alpha';
import { isGitOpsAvailable } from '../isGitOpsAvailable';
import { isPlacementAvailable } from '../isPlacementAvailable';

/** `entity-content:multi-provider/placement`: the entity's Placement tab. */
export const entityPlacementContent = EntityContentBlueprint.make({
  name: 'placement',
  params: {
    path: '/placement',
    title: 'Placement',
    group: 'deployment',
    filter: isPlacementAvailable,
    loader: () =>
      import('../components/EntityPlacementContent').then(m => (
        <m.EntityPlacementContent />
      )),
  },
});

/** `entity-content:multi-provider/storage`: the entity's Storage tab. */
export const entityStorageContent = EntityContentBlueprint.make({
  name: 'storage',
  params: {
    path: '/storage',
    title: 'Storage',
    group: 'deployment',
    filter: isPlacementAvailable,
    loader: () =>
      import('../components/EntityStorageContent').then(m => (
        <m.EntityStorageContent />
      )),
  },
});

/** `entity-content:multi-provider/gitops`: the GitOps tab of entities reconciled by Flux. */
export const entityGitOpsContent = EntityContentBlueprint.make({
  name: 'gitops',
  params: {
    path: '/gitops',
    title: 'GitOps',
    group: 'deployment',
    filter: isGitOpsAvailable,
    loader: () =>
      import('../components/EntityGitOpsContent').then(m => (
        <m.EntityGitOpsContent />
      )),
  },
});

/** `entity-card:multi-provider/secrets`: the Secrets card on the overview of Flux-reconciled entities. */
export const entitySecretsCard = EntityCardBlueprint.make({
  name: 'secrets',
  params: {
    type: 'content',
    filter: isGitOpsAvailable,
    loader: () =>
      import('../components/EntitySecretsCard').then(m => (
        <m.EntitySecretsCard />
      )),
  },
});
