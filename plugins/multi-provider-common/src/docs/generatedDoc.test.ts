import { generatedDocProblem, shouldWriteGeneratedDocs } from './generatedDoc';

describe('shouldWriteGeneratedDocs', () => {
  it('writes only when asked', () => {
    expect(shouldWriteGeneratedDocs({})).toBe(false);
    expect(shouldWriteGeneratedDocs({ CLOUDLAB_WRITE_DOCS: '1' })).toBe(true);
  });

  it('refuses to write in CI, naming the command to run instead', () => {
    expect(() =>
      shouldWriteGeneratedDocs({ CLOUDLAB_WRITE_DOCS: '1', CI: 'true' }),
    ).toThrow(/refused when CI is set.*yarn docs:generate/);
    expect(shouldWriteGeneratedDocs({ CI: 'true' })).toBe(false);
  });
});

describe('generatedDocProblem', () => {
  it('is undefined for a current file', () => {
    expect(generatedDocProblem('a.md', 'x\ny\n', 'x\ny\n')).toBeUndefined();
  });

  it('names the first differing line and the command', () => {
    expect(generatedDocProblem('a.md', 'x\ny\n', 'x\nz\n')).toBe(
      'a.md is not what the current schemas generate (line 2: committed "y", generated "z"): regenerate it with `yarn docs:generate` and commit it',
    );
  });

  it('names a missing file', () => {
    expect(generatedDocProblem('a.md', undefined, 'x')).toBe(
      'a.md is missing: regenerate it with `yarn docs:generate` and commit it',
    );
  });
});
