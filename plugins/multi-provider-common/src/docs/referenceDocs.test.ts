import fs from 'node:fs';
import path from 'node:path';
import { generatedDocProblem, shouldWriteGeneratedDocs } from './generatedDoc';
import { renderApiDoc, renderRegistryDoc } from './referenceDocs';

const REPO_ROOT = path.resolve(__dirname, '../../../..');

// prettier 2 ships no types.
const prettier: {
  format(source: string, options: object): string;
} = require('prettier');

// Formatted as `prettier --check .` expects, so the committed files pass both checks.
const format = (markdown: string) =>
  prettier.format(markdown, {
    ...require('@backstage/cli/config/prettier'),
    parser: 'markdown',
  });

describe.each([
  ['docs/reference/multi-provider-api.md', renderApiDoc],
  ['docs/reference/provider-registry-schema.md', renderRegistryDoc],
])('%s', (file, render) => {
  it('is generated from the current zod schemas', () => {
    const target = path.join(REPO_ROOT, file);
    const expected = format(render());
    if (shouldWriteGeneratedDocs(process.env)) {
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, expected);
    }
    const committed = fs.existsSync(target)
      ? fs.readFileSync(target, 'utf8')
      : undefined;
    expect(generatedDocProblem(file, committed, expected)).toBeUndefined();
  });
});
