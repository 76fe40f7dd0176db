import gitlabModule from '@backstage/plugin-scaffolder-backend-module-gitlab';
import fs from 'node:fs';
import type { Server } from 'node:http';
import path from 'node:path';
import { parse } from 'yaml';
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
import { runTask, startScaffolder } from './__testUtils__/scaffolderBackend';
import { REPO_ROOT } from './__testUtils__/workspace';
import { loadTemplateExamples } from './templateExamples';

/**
 * `cloudlab.gitops.publish: gitlab`, end to end: every template runs as a real task in the real
 * scaffolder backend with `@backstage/plugin-scaffolder-backend-module-gitlab` installed, its
 * `fetch:plain` step and its `publish:gitlab:merge-request` step talking to a stand-in GitLab
 * API on 127.0.0.1 (`integrations.gitlab` points there). What the stand-in receives is what
 * GitLab would: the project lookup, the branch, one commit holding exactly the files the
 * template wrote, the merge request.
 */

jest.setTimeout(300_000);

const TEMPLATES = path.join(REPO_ROOT, 'templates');
const examples = loadTemplateExamples(TEMPLATES);
const TOKEN = 'integration-token-for-tests';
/** What the stand-in reports as the project's default branch; the config names another. */
const FORGE_DEFAULT_BRANCH = 'develop';
const BASE_BRANCH = 'main';

const template = (name: string) => {
  const t = parse(
    fs.readFileSync(path.join(TEMPLATES, name, 'template.yaml'), 'utf8'),
  );
  return { ...t, metadata: { ...t.metadata, namespace: 'default' } };
};

/**
 * A template that only checks out and opens the merge request, with the merge request step's
 * input changed by `edit`: for the input validation cases.
 */
const brokenMergeRequest = (
  name: string,
  edit: (input: Record<string, unknown>) => void,
) => {
  const t = template('provider-workload');
  const steps = t.spec.steps.filter((s: { id: string }) =>
    ['checkout', 'mr'].includes(s.id),
  );
  edit(steps[1].input);
  return {
    ...t,
    metadata: { ...t.metadata, name },
    spec: { ...t.spec, steps },
  };
};

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
    entities: [
      ...Object.keys(examples).map(template),
      brokenMergeRequest('mr-without-repourl', i => delete i.repoUrl),
      brokenMergeRequest('mr-without-branch', i => delete i.branchName),
      brokenMergeRequest('mr-unconfigured-host', i => {
        i.repoUrl = 'gitlab.example.com?owner=cloudlab&repo=gitops';
      }),
    ],
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
  const files = new Map<string, { action: string; content: Buffer }>();
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
    expect([...files].map(([p, f]) => `${f.action} ${p}`).sort()).toEqual([
      'create catalog/components/hello.yaml',
      'create gitops/apps/hello/base/deployment.yaml',
      'create gitops/apps/hello/base/kustomization.yaml',
      'create gitops/apps/hello/base/namespace.yaml',
      'create gitops/apps/hello/base/service.yaml',
      'create gitops/apps/hello/base/serviceaccount.yaml',
      'create gitops/apps/hello/hetzner/kustomization.yaml',
      'create gitops/apps/hello/scaleway/kustomization.yaml',
      'update catalog/all.yaml',
      'update gitops/clusters/cloudlab/apps.yaml',
      'update gitops/clusters/lab/apps.yaml',
    ]);
    const deployment = parse(
      files
        .get('gitops/apps/hello/base/deployment.yaml')!
        .content.toString('utf8'),
    );
    expect(deployment.spec.template.spec.containers[0].image).toBe(
      'cloudlab/hello:1.0.0',
    );
    expect(files.get('catalog/all.yaml')!.content.toString('utf8')).toContain(
      './components/hello.yaml',
    );
    for (const [p, f] of files) {
      expect(f.content.equals(repository.files.get(p) ?? Buffer.alloc(0))).toBe(
        false,
      );
    }

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
      const { files } = commitOf(reqs);
      expect(files.size).toBeGreaterThan(0);
      for (const [p, f] of files) {
        const before = repository.files.get(p);
        expect(`${f.action} ${p}`).toBe(`${before ? 'update' : 'create'} ${p}`);
        expect(before && f.content.equals(before)).toBeFalsy();
      }
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
      { secrets: { gitToken: 'user-token-for-tests' } },
    );
    expect(result.status).toBe('completed');
    const reqs = writes(from);
    expect(reqs).toHaveLength(3);
    for (const r of reqs) {
      expect(r.headers.authorization).toBe('Bearer user-token-for-tests');
      expect(r.headers['private-token']).toBeUndefined();
    }
    expect(result.messages.join('\n')).not.toContain('user-token-for-tests');
  });

  it.each([
    [
      'mr-without-repourl',
      /Invalid input passed to action publish:gitlab:merge-request, instance requires property "repoUrl"/,
    ],
    [
      'mr-without-branch',
      /Invalid input passed to action publish:gitlab:merge-request, instance requires property "branchName"/,
    ],
    [
      'mr-unconfigured-host',
      /No matching integration configuration for host gitlab\.example\.com/,
    ],
  ])(
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
