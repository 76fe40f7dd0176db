import crypto from 'node:crypto';
import {
  ForgeRepository,
  ForgeServer,
  gitBlobId,
  RecordedRequest,
  startForgeServer,
} from './forgeRepository';

/** The repository the stand-in GitHub serves, as `owner/repo`. */
export const GITHUB_REPOSITORY = 'cloudlab/gitops';

/** Where the stand-in answers the REST API (a GitHub Enterprise Server layout). */
export const GITHUB_API_PATH = '/api/v3';

/**
 * The token a request to GitHub carried: Octokit (the actions) sends `Authorization: token`,
 * the URL reader (`fetch:plain`) `Authorization: Bearer`; GitHub accepts both for a token.
 */
export function githubToken(r: RecordedRequest): string | undefined {
  return r.headers.authorization?.replace(/^(token|Bearer) /, '');
}

/** A tree entry as `POST /git/trees` receives it. */
export interface GithubTreeEntry {
  path: string;
  mode: string;
  /** The blob's id, or null to delete the path. */
  sha?: string | null;
  /** Text content, instead of a blob id. */
  content?: string;
}

/**
 * A stand-in GitHub: its server, and the Git objects it was sent, by the id it answered with
 * (blobs by their real Git object id, trees and commits as posted).
 */
export interface FakeGithub extends ForgeServer {
  blobs: Map<string, Buffer>;
  trees: Map<string, { base_tree: string; tree: GithubTreeEntry[] }>;
  commits: Map<string, { message: string; tree: string; parents: string[] }>;
}

/** The tree id the stand-in reports for a commit of the served repository. */
export const githubTreeOf = (commitSha: string) =>
  crypto.createHash('sha1').update(`tree-${commitSha}`).digest('hex');

const sha1 = (s: string) => crypto.createHash('sha1').update(s).digest('hex');

/**
 * A stand-in for the GitHub REST API (and the one GraphQL query) on 127.0.0.1, holding one
 * repository whose branch `branch` is `repository` and whose default branch is another,
 * `defaultBranch`, at a different commit (so a change built off the wrong branch shows in its
 * parent commit). It answers what `fetch:plain` (Backstage's GitHub URL reader) and
 * `publish:github:pull-request` (through `octokit-plugin-create-pull-request`) ask: the
 * repository, a branch's combined status (the URL reader's way to resolve a branch to a commit),
 * the tarball behind `archive_url`, a branch's latest commit, blob, tree, commit and ref
 * creation, whether the head branch exists (GraphQL) and the pull request. Blobs are kept by
 * their real Git object id; everything else is a 404; every request is recorded.
 */
export async function startFakeGithub(opts: {
  repository: ForgeRepository;
  branch: string;
  defaultBranch: string;
}): Promise<FakeGithub> {
  const { repository, branch, defaultBranch } = opts;
  const repoPath = `${GITHUB_API_PATH}/repos/${GITHUB_REPOSITORY}`;
  const heads = new Map([
    [branch, repository.commitSha],
    [defaultBranch, sha1(`cloudlab-${defaultBranch}`)],
  ]);
  const blobs: FakeGithub['blobs'] = new Map();
  const trees: FakeGithub['trees'] = new Map();
  const commits: FakeGithub['commits'] = new Map();
  const store = <T>(objects: Map<string, T>, body: T) => {
    const sha = sha1(JSON.stringify(body));
    objects.set(sha, body);
    return { status: 201, json: { sha } };
  };
  const server = await startForgeServer((req, origin) => {
    const get = req.method === 'GET';
    const post = req.method === 'POST';
    if (post && req.path === '/api/graphql')
      // The head branch does not exist yet: the plugin creates its ref.
      return { status: 200, json: { data: { repository: { ref: null } } } };
    if (!req.path.startsWith(repoPath)) return undefined;
    const rest = req.path.slice(repoPath.length);
    const repo = {
      full_name: GITHUB_REPOSITORY,
      default_branch: defaultBranch,
      html_url: `${origin}/${GITHUB_REPOSITORY}`,
      archive_url: `${origin}${repoPath}/{archive_format}{/ref}`,
      permissions: { admin: false, push: true, pull: true },
    };
    if (get && rest === '') return { status: 200, json: repo };
    const status = rest.match(/^\/commits\/(.+)\/status$/);
    if (get && status) {
      const sha = heads.get(status[1]);
      return sha
        ? { status: 200, json: { state: 'success', sha, repository: repo } }
        : { status: 404, json: { message: 'No commit found for SHA' } };
    }
    const tarball = rest.match(/^\/tarball\/([0-9a-f]{40})$/);
    if (get && tarball && tarball[1] === repository.commitSha)
      return {
        status: 200,
        raw: repository.tarball(`cloudlab-gitops-${tarball[1].slice(0, 7)}`),
      };
    if (get && rest === '/commits') {
      const sha = heads.get(req.query.sha ?? defaultBranch);
      return sha
        ? {
            status: 200,
            json: [{ sha, commit: { tree: { sha: githubTreeOf(sha) } } }],
          }
        : { status: 404, json: { message: 'No commit found for SHA' } };
    }
    if (post && rest === '/git/blobs') {
      const content = Buffer.from(req.body.content, req.body.encoding);
      const sha = gitBlobId(content);
      blobs.set(sha, content);
      return { status: 201, json: { sha } };
    }
    if (post && rest === '/git/trees') return store(trees, req.body);
    if (post && rest === '/git/commits') return store(commits, req.body);
    if (post && rest === '/git/refs') {
      heads.set(req.body.ref.replace(/^refs\/heads\//, ''), req.body.sha);
      return { status: 201, json: { ref: req.body.ref } };
    }
    if (post && rest === '/pulls')
      return {
        status: 201,
        json: {
          number: 7,
          html_url: `${repo.html_url}/pull/7`,
          base: { ref: req.body.base },
        },
      };
    return undefined;
  });
  return { ...server, blobs, trees, commits };
}
