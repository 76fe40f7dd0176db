import { entityPodSelection } from './entityPods';
import { InvalidLabelSelectorError } from './labelSelector';

describe('entityPodSelection', () => {
  it('prefers the label-selector annotation, with the namespace', () => {
    expect(
      entityPodSelection({
        'backstage.io/kubernetes-label-selector': 'app=pihole',
        'backstage.io/kubernetes-id': 'ignored',
        'backstage.io/kubernetes-namespace': 'pihole-hetzner',
      }),
    ).toEqual({
      namespace: 'pihole-hetzner',
      requirements: [{ key: 'app', operator: 'In', values: ['pihole'] }],
    });
  });

  it('falls back to the kubernetes-id label, in any namespace', () => {
    expect(
      entityPodSelection({ 'backstage.io/kubernetes-id': 'pihole' }),
    ).toEqual({
      namespace: undefined,
      requirements: [
        {
          key: 'backstage.io/kubernetes-id',
          operator: 'In',
          values: ['pihole'],
        },
      ],
    });
  });

  it('names no pods without either annotation, and throws on a malformed selector', () => {
    expect(entityPodSelection({})).toBeUndefined();
    expect(entityPodSelection(undefined)).toBeUndefined();
    expect(() =>
      entityPodSelection({ 'backstage.io/kubernetes-label-selector': 'a in' }),
    ).toThrow(InvalidLabelSelectorError);
  });
});
