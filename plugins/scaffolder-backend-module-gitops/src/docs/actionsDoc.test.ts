import fs from 'node:fs';
import path from 'node:path';
import {
  generatedDocProblem,
  shouldWriteGeneratedDocs,
} from '@cloudlab/plugin-multi-provider-common';
import { REPO_ROOT } from '../__testUtils__/workspace';
import { createActions } from '../actions';
import { renderActionsDoc } from './renderActionsDoc';

const DOC = path.join(REPO_ROOT, 'docs/scaffolder/actions.md');

// prettier 2 ships no types.
const prettier: {
  format(source: string, options: object): string;
} = require('prettier');

// Formatted as `prettier --check .` expects, so the committed file passes both checks.
const rendered = () =>
  prettier.format(
    renderActionsDoc(
      createActions({
        publish: 'local',
        defaultBranch: 'main',
        validatorTimeoutSeconds: 120,
      }),
    ),
    { ...require('@backstage/cli/config/prettier'), parser: 'markdown' },
  );

describe('docs/scaffolder/actions.md', () => {
  it('is generated from the current action schemas', () => {
    const expected = rendered();
    if (shouldWriteGeneratedDocs(process.env)) fs.writeFileSync(DOC, expected);
    const committed = fs.existsSync(DOC)
      ? fs.readFileSync(DOC, 'utf8')
      : undefined;
    expect(
      generatedDocProblem(path.relative(REPO_ROOT, DOC), committed, expected),
    ).toBeUndefined();
  });
});
