import { parseObjects, substitute } from './kubeObjects';

describe('substitute', () => {
  it('substitutes variables like Flux postBuild: known, defaulted, undefined empty, $$ literal', () => {
    expect(
      substitute('a: ${X}\nb: ${Y:=def}\nc: ${Z}\nd: $${X}\ne: $X', { X: '1' }),
    ).toBe('a: 1\nb: def\nc: \nd: ${X}\ne: $X');
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
