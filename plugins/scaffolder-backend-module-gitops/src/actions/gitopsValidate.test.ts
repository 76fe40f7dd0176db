import { GitopsConfig } from '../config';
import { describeExamples } from '../__testUtils__/examples';
import {
  copyWorkspace,
  describeWithValidator,
  CRD_PATH,
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
});
