import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GitopsConfig } from '../config';
import { describeExamples } from '../__testUtils__/examples';
import {
  copyWorkspace,
  describeWithValidator,
  CRD_PATH,
  mockContext,
  REPO_ROOT,
  requireValidator,
  VALIDATOR,
} from '../__testUtils__/workspace';
import { createGitopsValidateAction } from './gitopsValidate';

// These tests copy the tree and run the Go validator; the machine is shared.
jest.setTimeout(120_000);

const config: GitopsConfig = {
  publish: 'local',
  defaultBranch: 'main',
  crdPath: CRD_PATH,
  validatorPath: VALIDATOR,
  validatorTimeoutSeconds: 120,
};

describeWithValidator()('cloudlab:gitops:validate', () => {
  beforeAll(() => {
    requireValidator();
  });
  describeExamples(createGitopsValidateAction(config), {
    workspace: copyWorkspace,
    check: () => outputs => expect(outputs.findings).toEqual([]),
  });

  // An adopter's repository (no registry, no house style, no validation configuration) is
  // judged on correctness only: the planted schema error, not this repository's conventions.
  it('judges an adopter repository on the layers it opts into', async () => {
    const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudlab-adopter-'));
    try {
      fs.cpSync(
        path.join(REPO_ROOT, 'tools', 'gitops-validate', 'testdata', 'adopter'),
        ws,
        {
          recursive: true,
        },
      );
      const { ctx, outputs } = mockContext(ws, {});
      await expect(
        createGitopsValidateAction(config).handler(ctx),
      ).rejects.toThrow(
        /1 findings\):\ncorrectness apps\/production .*Deployment podinfo\/podinfo: \[schema\] .*containerPort/,
      );
      expect(outputs.findings).toHaveLength(1);

      // Opting into conventions adds their findings; the object is still validated.
      fs.mkdirSync(path.join(ws, '.cloudlab'));
      fs.writeFileSync(
        path.join(ws, '.cloudlab', 'validate.yaml'),
        'apiVersion: cloudlab.dev/v1alpha1\nkind: ValidationConfig\nlayers:\n  conventions: true\n',
      );
      await expect(
        createGitopsValidateAction(config).handler(mockContext(ws, {}).ctx),
      ).rejects.toThrow(
        /conventions clusters\/production\/apps.yaml: \[file-conventions\]/,
      );
    } finally {
      fs.rmSync(ws, { recursive: true, force: true });
    }
  });
});
