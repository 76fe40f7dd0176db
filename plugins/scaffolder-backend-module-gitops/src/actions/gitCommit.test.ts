import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  makeLocalRepository,
  PREPARE,
  testConfig,
} from '../__testUtils__/actionInputs';
import { describeExamples } from '../__testUtils__/examples';
import { mockContext } from '../__testUtils__/workspace';
import { createGitCommitAction } from './gitCommit';
import { createGitopsCheckoutAction } from './gitopsCheckout';
import { createWorkloadCreateAction } from './workloadCreate';

// These tests copy the tree; the machine is shared.
jest.setTimeout(60_000);

const repository = makeLocalRepository();
afterAll(() => fs.rmSync(repository, { recursive: true, force: true }));
const config = testConfig(repository);
const action = createGitCommitAction(config);
const headOf = (branch: string, format: string) =>
  execFileSync('git', ['log', '-1', `--format=${format}`, branch], {
    cwd: repository,
    encoding: 'utf8',
  }).trim();

// The state a commit step finds in a template: the tree checked out, a workload written.
async function changedCheckout(): Promise<string> {
  const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudlab-ws-'));
  await createGitopsCheckoutAction(config).handler(mockContext(ws, {}).ctx);
  await createWorkloadCreateAction().handler(mockContext(ws, PREPARE).ctx);
  return ws;
}

describeExamples(action, {
  workspace: changedCheckout,
  check: input => async (outputs, ws) => {
    expect(outputs).toMatchObject({ created: true, branch: 'main' });
    expect(headOf('main', '%H')).toBe(outputs.commit);
    expect(headOf('main', '%s')).toBe(input.message);
    const again = mockContext(ws, input);
    await action.handler(again.ctx);
    expect(again.outputs).toMatchObject({
      created: false,
      commit: outputs.commit,
    });
  },
});

// git checks a message's UTF-8 and, finding a noncharacter, re-encodes the whole message as if
// it were Latin-1; a lone surrogate has no UTF-8 form at all. Such a message is refused.
it.each(['\u{10ffff}x', 'a\ufdd0b', 'lone \ud800 surrogate', '\ufffe'])(
  'refuses a commit message git cannot store as given (%j), committing nothing',
  async message => {
    const ws = await changedCheckout();
    try {
      const before = headOf('main', '%H');
      await expect(
        action.handler(mockContext(ws, { message }).ctx),
      ).rejects.toThrow(/message: must be well-formed Unicode/);
      expect(headOf('main', '%H')).toBe(before);
    } finally {
      fs.rmSync(ws, { recursive: true, force: true });
    }
  },
);

// git stores refs as paths: `team` and `team/x` cannot both be branches. The person is told which
// branch is in the way, naming the field, and no branch is created.
it.each([
  ['team/a', 'team'],
  ['solo', 'solo/b'],
])(
  'with branch %s present, refuses branch %s naming the field, creating nothing',
  async (existing, wanted) => {
    const ws = await changedCheckout();
    try {
      // A change main does not hold yet, so that the first branch is really created.
      fs.writeFileSync(
        path.join(ws, 'gitops', `probe-${existing.replace('/', '-')}.md`),
        existing,
      );
      await action.handler(
        mockContext(ws, { message: 'm', branch: existing }).ctx,
      );
      expect(headOf(existing, '%s')).toBe('m');
      const refs = () =>
        execFileSync('git', ['for-each-ref', '--format=%(refname)'], {
          cwd: repository,
          encoding: 'utf8',
        });
      const before = refs();
      await expect(
        action.handler(mockContext(ws, { message: 'm', branch: wanted }).ctx),
      ).rejects.toThrow(
        new RegExp(
          `branch: '${wanted}' cannot be created while branch '${existing}' exists`,
        ),
      );
      expect(refs()).toBe(before);
    } finally {
      fs.rmSync(ws, { recursive: true, force: true });
    }
  },
);
