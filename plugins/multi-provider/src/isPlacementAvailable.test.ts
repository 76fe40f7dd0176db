import type { Entity } from '@backstage/catalog-model';
import { isPlacementAvailable } from './isPlacementAvailable';

const entity = (annotations?: Record<string, string>): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'pihole', annotations },
  spec: {},
});

describe('isPlacementAvailable', () => {
  it('accepts a kubernetes-id', () => {
    expect(
      isPlacementAvailable(entity({ 'backstage.io/kubernetes-id': 'pihole' })),
    ).toBe(true);
  });

  it('accepts a label selector', () => {
    expect(
      isPlacementAvailable(
        entity({ 'backstage.io/kubernetes-label-selector': 'app=pihole' }),
      ),
    ).toBe(true);
  });

  it('rejects entities without either annotation, or with blank ones', () => {
    expect(isPlacementAvailable(entity())).toBe(false);
    expect(
      isPlacementAvailable(entity({ 'backstage.io/techdocs-ref': 'dir:.' })),
    ).toBe(false);
    expect(
      isPlacementAvailable(entity({ 'backstage.io/kubernetes-id': '  ' })),
    ).toBe(false);
  });
});
