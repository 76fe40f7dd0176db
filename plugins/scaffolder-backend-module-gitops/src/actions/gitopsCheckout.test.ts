import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { makeLocalRepository, testConfig } from '../__testUtils__/actionInputs';
import { describeExamples } from '../__testUtils__/examples';
import { hashTree, REPOSITORY_TREE } from '../__testUtils__/workspace';
import { createGitopsCheckoutAction } from './gitopsCheckout';

// These tests copy the tree; the machine is shared.
jest.setTimeout(60_000);

const repository = makeLocalRepository();
afterAll(() => fs.rmSync(repository, { recursive: true, force: true }));

describeExamples(createGitopsCheckoutAction(testConfig(repository)), {
  workspace: () => fs.mkdtempSync(path.join(os.tmpdir(), 'cloudlab-ws-')),
  check: () => (outputs, ws) => {
    expect(outputs).toMatchObject({ publish: 'local', branch: 'main' });
    for (const dir of REPOSITORY_TREE)
      expect(hashTree(path.join(ws, dir))).toBe(
        hashTree(path.join(repository, dir)),
      );
  },
});
