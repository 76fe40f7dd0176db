import {
  applyOrder,
  fluxKustomizations,
  orderByDependsOn,
  parseObjects,
  substitute,
} from './fluxKustomizations';

const ks = (name: string, deps: string[] = []) =>
  `---\napiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: ${name}, namespace: flux-system}\nspec:\n  path: ./gitops/${name}\n  dependsOn: [${deps
    .map(d => `{name: ${d}}`)
    .join(', ')}]\n`;

describe('Flux Kustomizations', () => {
  it('orders by dependsOn, keeping file order for independent ones', () => {
    const objects = parseObjects(
      ks('apps', ['platform']) +
        ks('infra') +
        ks('platform', ['infra']) +
        ks('obs', ['platform']),
    );
    expect(
      orderByDependsOn(fluxKustomizations(objects)).map(k => k.name),
    ).toEqual(['infra', 'platform', 'apps', 'obs']);
  });

  it('reports a cycle and a missing dependency', () => {
    expect(() =>
      orderByDependsOn(
        fluxKustomizations(parseObjects(ks('a', ['b']) + ks('b', ['a']))),
      ),
    ).toThrow(/cycle: a -> b -> a/);
    expect(() =>
      orderByDependsOn(fluxKustomizations(parseObjects(ks('a', ['nope'])))),
    ).toThrow(/dependsOn nope, which does not exist/);
  });

  it('ignores kustomize.config.k8s.io Kustomizations', () => {
    const objects = parseObjects(
      'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nmetadata: {name: x}\n',
    );
    expect(fluxKustomizations(objects)).toEqual([]);
  });

  it('substitutes variables like Flux postBuild', () => {
    expect(substitute('a: ${X}\nb: ${Y:=def}\nc: ${Z}', { X: '1' })).toBe(
      'a: 1\nb: def\nc: ${Z}',
    );
  });

  it('applies CRDs and Namespaces first', () => {
    const objs = parseObjects(
      'kind: Deployment\napiVersion: apps/v1\nmetadata: {name: d}\n---\nkind: Namespace\napiVersion: v1\nmetadata: {name: n}\n---\nkind: CustomResourceDefinition\napiVersion: apiextensions.k8s.io/v1\nmetadata: {name: c}\n',
    );
    expect(applyOrder(objs).map(o => o.kind)).toEqual([
      'CustomResourceDefinition',
      'Namespace',
      'Deployment',
    ]);
  });
});
