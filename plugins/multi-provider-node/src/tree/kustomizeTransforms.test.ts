import { applyNameTransforms } from './kustomizeTransforms';

function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null) {
    Object.values(v).forEach(deepFreeze);
    Object.freeze(v);
  }
  return v;
}

describe('applyNameTransforms', () => {
  const deployment = () =>
    deepFreeze({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', labels: { app: 'web' } },
      spec: {
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'main' }] },
        },
      },
    });

  it('transforms names, namespaces and selector labels without touching the shared input', () => {
    const input = deployment();
    const problems: string[] = [];
    // The input is frozen: a write into it would throw.
    const [out] = applyNameTransforms(
      [{ doc: input }],
      {
        namePrefix: 'p-',
        nameSuffix: '-s',
        namespace: 'shop',
        labels: [{ pairs: { team: 'a' }, includeSelectors: true }],
      },
      problems,
    );
    expect(problems).toEqual([]);
    expect(out.doc.metadata).toEqual({
      name: 'p-web-s',
      namespace: 'shop',
      labels: { app: 'web', team: 'a' },
    });
    expect(out.doc.spec.selector.matchLabels).toEqual({
      app: 'web',
      team: 'a',
    });
    expect(out.doc.spec.template.metadata.labels).toEqual({
      app: 'web',
      team: 'a',
    });
    expect(input).toEqual(deployment());
  });

  it('copies the whole object when a patch may write anywhere in it', () => {
    const input = deployment();
    const [out] = applyNameTransforms(
      [{ doc: input }],
      {
        patches: [
          {
            origin: 'test',
            target: { kind: 'Deployment' },
            patch: [
              {
                op: 'replace',
                path: '/spec/template/spec/containers/0/name',
                value: 'app',
              },
            ],
          },
        ],
      },
      [],
    );
    expect(out.doc.spec.template.spec.containers[0].name).toBe('app');
    expect(input.spec.template.spec.containers[0].name).toBe('main');
  });
});
