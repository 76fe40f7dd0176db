import githubModule from '@backstage/plugin-scaffolder-backend-module-github';
import type { Server } from 'node:http';
import {
  ForgeRepository,
  forgeRepository,
} from './__testUtils__/forgeRepository';
import {
  FakeGithub,
  GITHUB_API_PATH,
  GITHUB_REPOSITORY,
  githubToken,
  githubTreeOf,
  startFakeGithub,
} from './__testUtils__/fakeGithub';
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
 * `cloudlab.gitops.publish: github`, end to end: every template runs as a real task in the real
 * scaffolder backend with `@backstage/plugin-scaffolder-backend-module-github` installed, its
 * `fetch:plain` step and its `publish:github:pull-request` step talking to a stand-in GitHub
 * API on 127.0.0.1 (`integrations.github` points there). What the stand-in receives is what
 * GitHub would: the repository lookup and tarball read, the base branch's latest commit, the
 * workspace's files as blobs and one tree over the base branch's tree, the commit, the head
 * branch's ref and the pull request.
 */

jest.setTimeout(300_000);

const REPO_API = `${GITHUB_API_PATH}/repos/${GITHUB_REPOSITORY}`;

const refused = refusedPublishInputs({
  stepId: 'pr',
  action: 'publish:github:pull-request',
  unconfiguredHost: 'github.example.com',
});

let repository: ForgeRepository;
let github: FakeGithub;
let server: Server;

beforeAll(async () => {
  repository = forgeRepository();
  github = await startFakeGithub({
    repository,
    branch: BASE_BRANCH,
    defaultBranch: FORGE_DEFAULT_BRANCH,
  });
  server = await startScaffolder({
    features: [githubModule],
    entities: [...Object.keys(examples).map(template), ...refused.entities],
    integrations: {
      github: [
        {
          host: github.host,
          apiBaseUrl: `${github.origin}${GITHUB_API_PATH}`,
          token: TOKEN,
        },
      ],
    },
    gitops: {
      publish: 'github',
      localRepository: undefined,
      repoUrl: `${github.host}?owner=cloudlab&repo=gitops`,
      sourceUrl: `${github.origin}/${GITHUB_REPOSITORY}/tree/${BASE_BRANCH}`,
      defaultBranch: BASE_BRANCH,
    },
  });
});
afterAll(() => github.close());

/**
 * The requests one task made, from `from` on, that create something on GitHub, but the blobs
 * (one per workspace file): the tree, the commit, the head branch lookup (a GraphQL POST), the
 * ref and the pull request.
 */
const writes = (from: number) =>
  github.requests
    .slice(from)
    .filter(r => r.method !== 'GET' && !r.path.endsWith('/git/blobs'));

/**
 * What the tree posted by `tree` changes over the base branch, as a pull request shows it. The
 * action posts every workspace file as a blob; an entry whose blob equals the base branch's
 * file changes nothing. Deleting entries (a null id) and inline content are refused here, as
 * the templates never delete files and the action sends every file as a blob.
 */
function changeOf(tree: { base_tree: string; tree: any[] }) {
  expect(tree.base_tree).toBe(githubTreeOf(repository.commitSha));
  const files = new Map<string, ChangedFile>();
  for (const entry of tree.tree) {
    expect(entry).toEqual({
      path: expect.any(String),
      mode: '100644',
      sha: expect.stringMatching(/^[0-9a-f]{40}$/),
    });
    const content = github.blobs.get(entry.sha)!;
    expect(content).toBeDefined();
    const before = repository.files.get(entry.path);
    if (!before?.equals(content))
      files.set(entry.path, { action: before ? 'update' : 'create', content });
  }
  return files;
}

describe('publish: github through the real publish:github:pull-request action', () => {
  it('opens the pull request for the provider-workload template with exactly the files it wrote', async () => {
    const from = github.requests.length;
    const result = await runTask(server, 'template:default/provider-workload', {
      ...examples['provider-workload'],
      commitMessage: 'Add hello',
    });
    expect({ status: result.status, last: result.messages.slice(-5) }).toEqual({
      status: 'completed',
      last: expect.anything(),
    });
    const reqs = github.requests.slice(from);

    // fetch:plain read the configured base branch (not the repository's default) through the
    // integration; the action looked up the repository and that branch's latest commit.
    expect(reqs.map(r => `${r.method} ${r.path}`)).toEqual(
      expect.arrayContaining([
        `GET ${REPO_API}/commits/${BASE_BRANCH}/status`,
        `GET ${REPO_API}/tarball/${repository.commitSha}`,
        `GET ${REPO_API}`,
        `GET ${REPO_API}/commits`,
      ]),
    );
    const latest = reqs.find(r => r.path === `${REPO_API}/commits`)!;
    expect(latest.query.sha).toBe(BASE_BRANCH);
    expect(new Set(reqs.map(githubToken))).toEqual(new Set([TOKEN]));

    const [tree, commit, headLookup, ref, pull, ...more] = writes(from);
    expect(more).toEqual([]);

    // One tree over the base branch's tree; what it changes is exactly what the template's
    // steps wrote (the rest of the fetched files come back unchanged).
    expect(tree.path).toBe(`${REPO_API}/git/trees`);
    const files = changeOf(tree.body);
    expectHelloWorkloadChange(files);
    expectOnlyChangedFiles(files, repository);

    // One commit holding that tree on top of the base branch's latest commit.
    expect(commit.path).toBe(`${REPO_API}/git/commits`);
    expect(github.trees.get(commit.body.tree)).toEqual(tree.body);
    expect(commit.body).toMatchObject({
      message: 'Add hello',
      parents: [repository.commitSha],
    });

    // The head branch, new, pointing at that commit.
    expect(headLookup.path).toBe('/api/graphql');
    expect(ref.path).toBe(`${REPO_API}/git/refs`);
    const branchName = ref.body.ref.replace(/^refs\/heads\//, '');
    expect(branchName).toMatch(/^cloudlab\/hello-[a-z0-9]{8}$/);
    expect(headLookup.body.variables.head).toBe(branchName);
    expect(github.commits.get(ref.body.sha)).toEqual(commit.body);

    // The pull request, from that branch into the base branch, titled by the form.
    expect(pull.path).toBe(`${REPO_API}/pulls`);
    expect(pull.body).toMatchObject({
      head: `cloudlab:${branchName}`,
      base: BASE_BRANCH,
      title: 'Add hello',
      body: 'Written by the Cloudlab template provider-workload; validated with gitops-validate.',
      draft: false,
    });
    expect(result.output.links[0].url).toBe(
      `${github.origin}/${GITHUB_REPOSITORY}/pull/7`,
    );
  });

  it.each(Object.keys(examples).filter(n => n !== 'provider-workload'))(
    'opens the pull request for the %s template, its tree changing only what it wrote',
    async name => {
      const from = github.requests.length;
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
      expect(reqs.map(r => r.path.replace(REPO_API, ''))).toEqual([
        '/git/trees',
        '/git/commits',
        '/api/graphql',
        '/git/refs',
        '/pulls',
      ]);
      expectOnlyChangedFiles(changeOf(reqs[0].body), repository);
      expect(reqs[4].body).toMatchObject({
        base: BASE_BRANCH,
        title: 'Cloudlab template change',
        body: `Written by the Cloudlab template ${name}; validated with gitops-validate.`,
      });
      expect(new Set(github.requests.slice(from).map(githubToken))).toEqual(
        new Set([TOKEN]),
      );
    },
  );

  it("opens the vault-secret template's pull request with the user's Git token when one is given", async () => {
    const from = github.requests.length;
    const result = await runTask(
      server,
      'template:default/vault-secret',
      { ...examples['vault-secret'], gitToken: '***' },
      { secrets: { gitToken: USER_TOKEN } },
    );
    expect(result.status).toBe('completed');
    // Every request that creates something: the blobs, the tree, the commit, the head branch
    // lookup, the ref and the pull request.
    const reqs = github.requests.slice(from).filter(r => r.method !== 'GET');
    expect(writes(from)).toHaveLength(5);
    expect(reqs.length).toBeGreaterThan(repository.files.size);
    for (const r of reqs)
      expect(r.headers.authorization).toBe(`token ${USER_TOKEN}`);
    expect(result.messages.join('\n')).not.toContain(USER_TOKEN);
  });

  it.each(refused.cases)(
    '%s: the action refuses the input and GitHub is not called',
    async (name, error) => {
      const from = github.requests.length;
      const result = await runTask(
        server,
        `template:default/${name}`,
        examples['provider-workload'],
      );
      expect(result.status).toBe('failed');
      expect(result.messages.join('\n')).toMatch(error);
      expect(github.requests.slice(from)).toEqual([]);
    },
  );
});
