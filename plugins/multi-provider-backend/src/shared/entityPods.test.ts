import { InputError } from '@backstage/errors';
import { entityPodMatcher } from './entityPods';

const pod = (labels: Record<string, string>, namespace = 'shop') => ({
  name: 'p',
  namespace,
  phase: 'Running',
  labels,
});
const entity = (annotations: Record<string, string>) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'x', annotations },
});

describe('entityPodMatcher', () => {
  it('matches the kubernetes-id label', () => {
    const m = entityPodMatcher(
      entity({ 'backstage.io/kubernetes-id': 'web' }),
    )!;
    expect(m(pod({ 'backstage.io/kubernetes-id': 'web' }))).toBe(true);
    expect(m(pod({ 'backstage.io/kubernetes-id': 'api' }))).toBe(false);
    expect(m(pod({}))).toBe(false);
  });

  it('prefers the label selector and honours the namespace annotation', () => {
    const m = entityPodMatcher(
      entity({
        'backstage.io/kubernetes-id': 'ignored',
        'backstage.io/kubernetes-label-selector':
          'app.kubernetes.io/name=pihole,tier in (dns, cache),!legacy',
        'backstage.io/kubernetes-namespace': 'dns',
      }),
    )!;
    expect(
      m(pod({ 'app.kubernetes.io/name': 'pihole', tier: 'dns' }, 'dns')),
    ).toBe(true);
    expect(
      m(pod({ 'app.kubernetes.io/name': 'pihole', tier: 'dns' }, 'shop')),
    ).toBe(false);
    expect(
      m(
        pod(
          { 'app.kubernetes.io/name': 'pihole', tier: 'dns', legacy: 'y' },
          'dns',
        ),
      ),
    ).toBe(false);
  });

  it('returns undefined without annotations and rejects a broken selector', () => {
    expect(entityPodMatcher(entity({}))).toBeUndefined();
    expect(() =>
      entityPodMatcher(
        entity({ 'backstage.io/kubernetes-label-selector': 'a in (b' }),
      ),
    ).toThrow(InputError);
    expect(
      entityPodMatcher(
        entity({ 'backstage.io/kubernetes-label-selector': 'a!=b,c' }),
      )?.({ name: 'p', namespace: 'n', phase: 'Running', labels: { c: '' } }),
    ).toBe(true);
  });
});
