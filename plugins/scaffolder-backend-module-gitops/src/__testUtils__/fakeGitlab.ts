import {
  ForgeRepository,
  ForgeServer,
  gitBlobId,
  RecordedRequest,
  startForgeServer,
} from './forgeRepository';

/** The project the stand-in GitLab serves, as `owner/repo`. */
export const GITLAB_PROJECT = 'cloudlab/gitops';

/**
 * The token a request to GitLab carried: gitbeaker (the actions) sends `PRIVATE-TOKEN`, the
 * URL reader (`fetch:plain`) `Authorization: Bearer`; GitLab accepts both for a token.
 */
export function gitlabToken(r: RecordedRequest): string | undefined {
  const header = r.headers['private-token'];
  if (typeof header === 'string') return header;
  return r.headers.authorization?.replace(/^Bearer /, '');
}

/**
 * A stand-in for the GitLab REST API (v4) on 127.0.0.1, holding one project whose default
 * branch is `repository`. It answers what `fetch:plain` (Backstage's GitLab URL reader) and
 * `publish:gitlab:merge-request` ask: the project, its commits, archive and recursive tree
 * (paged through `Link` headers as GitLab does), branch lookup and creation, the commit and the
 * merge request. Everything else is a 404; every request is recorded.
 */
export async function startFakeGitlab(opts: {
  repository: ForgeRepository;
  defaultBranch: string;
}): Promise<ForgeServer> {
  const { repository, defaultBranch } = opts;
  const projectPath = `/api/v4/projects/${GITLAB_PROJECT}`;
  const branches = new Set([defaultBranch]);
  const tree = [...repository.files].map(([p, content]) => ({
    id: gitBlobId(content),
    name: p.split('/').pop(),
    type: 'blob',
    path: p,
    mode: '100644',
  }));
  return startForgeServer((req, origin) => {
    const project = {
      id: 42,
      path_with_namespace: GITLAB_PROJECT,
      default_branch: defaultBranch,
      web_url: `${origin}/${GITLAB_PROJECT}`,
    };
    if (!req.path.startsWith(projectPath)) return undefined;
    const rest = req.path.slice(projectPath.length);
    const get = req.method === 'GET';
    const post = req.method === 'POST';
    if (get && rest === '') return { status: 200, json: project };
    if (get && rest === '/repository/commits')
      return { status: 200, json: [{ id: repository.commitSha }] };
    if (get && rest === '/repository/archive')
      return {
        status: 200,
        raw: repository.tarball(`gitops-${req.query.sha}`),
      };
    if (get && rest === '/repository/tree') {
      const perPage = Number(req.query.per_page ?? 20);
      const page = Number(req.query.page ?? 1);
      const slice = tree.slice((page - 1) * perPage, page * perPage);
      const headers: Record<string, string> = {};
      if (page * perPage < tree.length) {
        const next = new URLSearchParams({
          ...req.query,
          page: String(page + 1),
        });
        headers.link = `<${origin}${projectPath.replace(
          GITLAB_PROJECT,
          encodeURIComponent(GITLAB_PROJECT),
        )}/repository/tree?${next}>; rel="next"`;
      }
      return { status: 200, json: slice, headers };
    }
    const branch = rest.match(/^\/repository\/branches\/(.+)$/);
    if (get && branch) {
      return branches.has(branch[1])
        ? { status: 200, json: { name: branch[1] } }
        : { status: 404, json: { message: '404 Branch Not Found' } };
    }
    if (post && rest === '/repository/branches') {
      branches.add(req.body.branch);
      return {
        status: 201,
        json: {
          name: req.body.branch,
          web_url: `${project.web_url}/-/tree/${req.body.branch}`,
        },
      };
    }
    if (post && rest === '/repository/commits')
      return { status: 201, json: { id: 'f'.repeat(40) } };
    if (post && rest === '/merge_requests')
      return {
        status: 201,
        json: { iid: 7, web_url: `${project.web_url}/-/merge_requests/7` },
      };
    return undefined;
  });
}
