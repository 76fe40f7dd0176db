import { parseObjects } from '@cloudlab/plugin-multi-provider-node';
import { applyOrder } from './apply';

describe('applyOrder', () => {
  it('applies CRDs and Namespaces first and keeps the rest in rendered order', () => {
    const objs = parseObjects(
      'kind: Deployment\napiVersion: apps/v1\nmetadata: {name: d}\n---\nkind: Namespace\napiVersion: v1\nmetadata: {name: n}\n---\nkind: Service\napiVersion: v1\nmetadata: {name: s}\n---\nkind: CustomResourceDefinition\napiVersion: apiextensions.k8s.io/v1\nmetadata: {name: c}\n',
    );
    expect(applyOrder(objs).map(o => o.kind)).toEqual([
      'CustomResourceDefinition',
      'Namespace',
      'Deployment',
      'Service',
    ]);
  });
});
