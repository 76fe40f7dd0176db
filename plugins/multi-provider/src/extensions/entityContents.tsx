import { EntityContentBlueprint } from '@backstage/plugin-catalog-react/alpha';
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
