import gitlabModule from '@backstage/plugin-scaffolder-backend-module-gitlab';
import type { Server } from 'node:http';
import {
  ForgeRepository,
  ForgeServer,
  forgeRepository,
  RecordedRequest,
} from './__testUtils__/forgeRepository';
import {
  GITLAB_PROJECT,
  gitlabToken,
  startFakeGitlab,
} from './__testUtils__/fakeGitlab';
import {
  BASE_BRANCH,
  ChangedFile,
  examples,
  expectHelloWorkloadChange,
  expectOnlyChangedFiles,
  FORGE_DEFAULT_BRANCH,
  refusedPublishInputs,
  template,
  TOKEN,
  USER_TOKEN,
} from './__testUtils__/publishTemplates';
import { runTask, startScaffolder } from './__testUtils__/scaffolderBackend';

/**
 * `cloudlab.gitops.publish: gitlab`, end to end: every template runs as a real task in the real
 * scaffolder backend with `@backstage/plugin-scaffolder-backend-module-gitlab` installed, its
 * `fetch:plain` step and its `publish:gitlab:merge-request` step talking to a stand-in GitLab
 * API on 127.0.0.1 (`integrations.gitlab` points there). What the stand-in receives is what
 * GitLab would: the project lookup, the branch, one commit holding exactly the files the
 * template wrote, the merge request.
 */

jest.setTimeout(300_000);

const refused = refusedPublishInputs({
  stepId: 'mr',
  action: 'publish:gitlab:merge-request',
  unconfiguredHost: 'gitlab.example.com',
});

let repository: ForgeRepository;
let gitlab: ForgeServer;
let server: Server;

beforeAll(async () => {
  repository = forgeRepository();
  gitlab = await startFakeGitlab({
    repository,
    defaultBranch: FORGE_DEFAULT_BRANCH,
  });
  server = await startScaffolder({
    features: [gitlabModule],
    entities: [...Object.keys(examples).map(template), ...refused.entities],
    integrations: {
      gitlab: [
        {
          host: gitlab.host,
          apiBaseUrl: `${gitlab.origin}/api/v4`,
          baseUrl: gitlab.origin,
          token: TOKEN,
        },
      ],
    },
    gitops: {
      publish: 'gitlab',
      localRepository: undefined,
      repoUrl: `${gitlab.host}?owner=cloudlab&repo=gitops`,
      sourceUrl: `${gitlab.origin}/${GITLAB_PROJECT}/-/tree/${BASE_BRANCH}`,
      defaultBranch: BASE_BRANCH,
    },
  });
});
afterAll(() => gitlab.close());

/** The requests one task made, from `from` on, that change something on GitLab. */
const writes = (from: number) =>
  gitlab.requests.slice(from).filter(r => r.method !== 'GET');

/** The one commit request among `reqs`, its files decoded. */
function commitOf(reqs: RecordedRequest[]) {
  const commits = reqs.filter(r => r.path.endsWith('/repository/commits'));
  expect(commits).toHaveLength(1);
  const body = commits[0].body;
  const files = new Map<string, ChangedFile>();
  for (const a of body.actions) {
    expect(a.encoding).toBe('base64');
    files.set(a.file_path, {
      action: a.action,
      content: Buffer.from(a.content, 'base64'),
    });
  }
  return { body, files };
}

describe('publish: gitlab through the real publish:gitlab:merge-request action', () => {
  it('opens the merge request for the provider-workload template with exactly the files it wrote', async () => {
    const from = gitlab.requests.length;
    const result = await runTask(server, 'template:default/provider-workload', {
      ...examples['provider-workload'],
      commitMessage: 'Add hello',
    });
    expect({ status: result.status, last: result.messages.slice(-5) }).toEqual({
      status: 'completed',
      last: expect.anything(),
    });
    const reqs = gitlab.requests.slice(from);
    const project = `/api/v4/projects/${GITLAB_PROJECT}`;

    // fetch:plain read the base branch through the integration, with its token.
    expect(reqs.map(r => `${r.method} ${r.path}`)).toEqual(
      expect.arrayContaining([
        `GET ${project}`,
        `GET ${project}/repository/commits`,
        `GET ${project}/repository/archive`,
      ]),
    );
    const archive = reqs.find(r => r.path.endsWith('/repository/archive'))!;
    expect(archive.query.sha).toBe(BASE_BRANCH);
    expect(new Set(reqs.map(gitlabToken))).toEqual(new Set([TOKEN]));

    // The branch, off the configured base branch (not the project's default).
    const [branch, commit, mr, ...more] = writes(from);
    expect(more).toEqual([]);
    expect(branch.path).toBe(`${project}/repository/branches`);
    const branchName = branch.body.branch;
    expect(branchName).toMatch(/^cloudlab\/hello-[a-z0-9]{8}$/);
    expect(branch.body.ref).toBe(BASE_BRANCH);

    // One commit on it holding exactly what the template's steps wrote; the rest of the
    // fetched tree is unchanged and left out.
    const { body, files } = commitOf([commit]);
    expect(body.branch).toBe(branchName);
    expect(body.commit_message).toBe('Add hello');
    expectHelloWorkloadChange(files);
    expectOnlyChangedFiles(files, repository);

    // The merge request, from that branch into the base branch, titled by the form.
    expect(mr.path).toBe(`${project}/merge_requests`);
    expect(mr.body).toMatchObject({
      source_branch: branchName,
      target_branch: BASE_BRANCH,
      title: 'Add hello',
      description:
        'Written by the Cloudlab template provider-workload; validated with gitops-validate.',
      remove_source_branch: false,
    });
    expect(result.output.links[0].url).toBe(
      `${gitlab.origin}/${GITLAB_PROJECT}/-/merge_requests/7`,
    );
  });

  it.each(Object.keys(examples).filter(n => n !== 'provider-workload'))(
    'opens the merge request for the %s template, its commit holding only changed files',
    async name => {
      const from = gitlab.requests.length;
      const result = await runTask(
        server,
        `template:default/${name}`,
        examples[name],
      );
      expect({ status: result.status, messages: result.messages }).toEqual({
        status: 'completed',
        messages: expect.anything(),
      });
      const reqs = writes(from);
      expect(reqs.map(r => r.path.split('/').slice(-1)[0])).toEqual([
        'branches',
        'commits',
        'merge_requests',
      ]);
      expectOnlyChangedFiles(commitOf(reqs).files, repository);
      expect(reqs[2].body).toMatchObject({
        target_branch: BASE_BRANCH,
        title: 'Cloudlab template change',
        description: `Written by the Cloudlab template ${name}; validated with gitops-validate.`,
      });
      expect(new Set(gitlab.requests.slice(from).map(gitlabToken))).toEqual(
        new Set([TOKEN]),
      );
    },
  );

  it("opens the vault-secret template's merge request with the user's Git token when one is given", async () => {
    const from = gitlab.requests.length;
    const result = await runTask(
      server,
      'template:default/vault-secret',
      { ...examples['vault-secret'], gitToken: '***' },
      { secrets: { gitToken: USER_TOKEN } },
    );
    expect(result.status).toBe('completed');
    const reqs = writes(from);
    expect(reqs).toHaveLength(3);
    for (const r of reqs) {
      expect(r.headers.authorization).toBe(`Bearer ${USER_TOKEN}`);
      expect(r.headers['private-token']).toBeUndefined();
    }
    expect(result.messages.join('\n')).not.toContain(USER_TOKEN);
  });

  it.each(refused.cases)(
    '%s: the action refuses the input and GitLab is not called',
    async (name, error) => {
      const from = gitlab.requests.length;
      const result = await runTask(
        server,
        `template:default/${name}`,
        examples['provider-workload'],
      );
      expect(result.status).toBe('failed');
      expect(result.messages.join('\n')).toMatch(error);
      expect(gitlab.requests.slice(from)).toEqual([]);
    },
  );
});
