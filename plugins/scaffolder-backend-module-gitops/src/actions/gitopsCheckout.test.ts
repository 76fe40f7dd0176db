import { ConfigReader } from '@backstage/config';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { makeLocalRepository, testConfig } from '../__testUtils__/actionInputs';
import { describeExamples } from '../__testUtils__/examples';
import {
  hashTree,
  mockContext,
  REPOSITORY_TREE,
} from '../__testUtils__/workspace';
import { readGitopsConfig } from '../config';
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

describe('without a local GitOps tree', () => {
  it('reads the config (no local tree to clone from) and fails at the checkout, naming the key', async () => {
    const config = readGitopsConfig(
      new ConfigReader({
        cloudlab: {
          gitopsTree: {
            url: { target: 'https://git.example/org/gitops/tree/main' },
          },
          gitops: { publish: 'local', localRepository: '/nonexistent/repo' },
        },
      }),
    );
    expect(config.sourceTree).toBeUndefined();
    const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudlab-ws-'));
    await expect(
      createGitopsCheckoutAction(config).handler(mockContext(ws, {}).ctx),
    ).rejects.toThrow(
      'cloudlab.gitops.localRepository /nonexistent/repo does not exist, and without cloudlab.gitopsTree.local.path there is no local tree to create it from',
    );
  });
});
