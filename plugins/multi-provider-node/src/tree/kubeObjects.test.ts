import { parseObjects, substitute } from './kubeObjects';

describe('substitute', () => {
  it('substitutes variables like Flux postBuild: known, defaulted, unknown left as they are', () => {
    expect(substitute('a: ${X}\nb: ${Y:=def}\nc: ${Z}', { X: '1' })).toBe(
      'a: 1\nb: def\nc: ${Z}',
    );
  });

  it('prefers a set variable over the default', () => {
    expect(substitute('b: ${Y:=def}', { Y: 'set' })).toBe('b: set');
  });
});

describe('parseObjects', () => {
  it('keeps objects with a kind and skips empty documents', () => {
    expect(
      parseObjects(
        '---\n---\nkind: Namespace\napiVersion: v1\nmetadata: {name: n}\n---\nfoo: bar\n',
      ).map(o => o.metadata.name),
    ).toEqual(['n']);
  });
});
