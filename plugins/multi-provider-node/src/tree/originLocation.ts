import type { TreeOrigin } from './GitopsTreeProvider';

/**
 * Git hosts whose web UI shows a file at a revision, and how their URLs are built.
 *
 * @public
 */
export type GitWebHost = 'github' | 'gitlab' | 'gitea';

/**
 * Where a file of a tree origin is, in the catalog's location-reference form (`<type>:<target>`).
 *
 * @public
 */
export interface OriginFileLocation {
  /** For `backstage.io/managed-by-location` (and `-origin-location`): the file, else its source. */
  location: string;
  /** For `backstage.io/source-location`: the file's directory, when the host shows a tree. */
  sourceLocation?: string;
}

/**
 * Options of {@link originFileLocation}.
 *
 * @public
 */
export interface OriginFileLocationOptions {
  /**
   * The repository's web address, used instead of the origin's own (the platform repository's
   * configured `repoUrl`, for a tree whose source address is not a web UI or not known).
   */
  repoUrl?: string;
  /** The branch when the origin's revision names no commit (a local folder, a Git host's ETag). */
  branch?: string;
  /** The path is a directory: located by its tree page, and it is its own source location. */
  directory?: boolean;
}

/**
 * A Flux revision split into its ref and digest: `main@sha1:<hex>`, `refs/tags/v1@sha1:<hex>`,
 * `sha1:<hex>`, `latest@sha256:<hex>`.
 *
 * @public
 */
export function parseFluxRevision(revision: string): {
  ref?: string;
  digest?: string;
} {
  const at = revision.lastIndexOf('@');
  const ref = at > 0 ? revision.slice(0, at) : undefined;
  const digest = at >= 0 ? revision.slice(at + 1) : revision;
  return {
    ...(ref ? { ref } : {}),
    ...(/^[a-z0-9]+:\w+$/.test(digest) ? { digest } : {}),
  };
}

/** Host names that say which web UI a Git host runs. */
const WEB_HOSTS: Array<[RegExp, GitWebHost]> = [
  [/github/, 'github'],
  [/gitlab/, 'gitlab'],
  [/gitea|codeberg|forgejo/, 'gitea'],
];

/**
 * A Git remote as its web address: `git@host:o/r.git`, `ssh://git@host/o/r.git` and
 * `https://user@host/o/r.git` all become `https://host/o/r` (credentials never kept), with the
 * host's kind when its name says it (`github`, `gitlab`, `gitea`, `codeberg`, `forgejo`).
 *
 * @public
 */
export function gitWebAddress(
  remote: string,
): { url: string; host?: GitWebHost } | undefined {
  const scp = /^[\w.-]+@([^:/]+):(.+)$/.exec(remote);
  let parsed: URL;
  try {
    parsed = new URL(scp ? `ssh://${scp[1]}/${scp[2]}` : remote);
  } catch {
    return undefined;
  }
  if (!['https:', 'http:', 'ssh:', 'git:'].includes(parsed.protocol))
    return undefined;
  const scheme = parsed.protocol === 'http:' ? 'http' : 'https';
  // An ssh port is not the web UI's; an http(s) one is.
  const host = parsed.protocol.startsWith('http')
    ? parsed.host
    : parsed.hostname;
  const repoPath = parsed.pathname.replace(/\/+$/, '').replace(/\.git$/, '');
  if (!repoPath || repoPath === '/') return undefined;
  const name = parsed.hostname.toLowerCase();
  const kind = WEB_HOSTS.find(([pattern]) => pattern.test(name))?.[1];
  return {
    url: `${scheme}://${host}${repoPath}`,
    ...(kind ? { host: kind } : {}),
  };
}

/**
 * A file (`blob`) or directory (`tree`) page of a Git web UI at a branch or commit.
 *
 * @public
 */
export function gitWebPage(
  web: { url: string; host: GitWebHost },
  at: { commit?: string; branch?: string },
  page: 'blob' | 'tree',
  file: string,
): string {
  const rev = at.commit ?? at.branch ?? 'HEAD';
  const rel = file === '.' || file === '' ? '' : `/${file}`;
  switch (web.host) {
    case 'github':
      return `${web.url}/${page}/${rev}${rel}`;
    case 'gitlab':
      return `${web.url}/-/${page}/${rev}${rel}`;
    case 'gitea':
      // Gitea shows files and directories under one path, by the kind of revision.
      return `${web.url}/src/${at.commit ? 'commit' : 'branch'}/${rev}${rel}`;
    default:
      throw new Error(`unknown Git web host ${web.host}`);
  }
}

const kindOfLocation = (origin: TreeOrigin) =>
  origin.kind === 'flux' ? origin.location.split('/')[0] : undefined;

const dirOf = (file: string) => {
  const i = file.lastIndexOf('/');
  return i < 0 ? '.' : file.slice(0, i);
};

/**
 * The Git web UI an origin's files are shown in, with the commit and branch of its revision:
 * the configured `repoUrl` (taken as GitHub-style when its host name does not say, as the
 * suite's links always were), else a GitRepository's own address on a known host.
 */
function gitWebOf(
  origin: TreeOrigin,
  options: OriginFileLocationOptions,
):
  | { web: { url: string; host: GitWebHost }; commit?: string; branch?: string }
  | undefined {
  const kind = kindOfLocation(origin);
  const remote =
    options.repoUrl ?? (kind === 'GitRepository' ? origin.url : undefined);
  const address = remote ? gitWebAddress(remote) : undefined;
  const host = address?.host ?? (options.repoUrl ? 'github' : undefined);
  if (!address || !host) return undefined;
  // Only a Git source's revision names a commit and a branch of the repository.
  const revision =
    kind === 'GitRepository' ? parseFluxRevision(origin.revision) : {};
  return {
    web: { url: address.url, host },
    commit: revision.digest?.replace(/^sha\d+:/, ''),
    branch:
      revision.ref?.replace(/^refs\/(heads|tags)\//, '') ?? options.branch,
  };
}

/**
 * A web page of a file (`blob`) or directory (`tree`) of an origin on its branch (it follows the
 * branch, so a link does not change with every revision); `undefined` when the origin is not
 * shown by a known Git web UI.
 *
 * @public
 */
export function originWebPage(
  origin: TreeOrigin,
  path: string,
  page: 'blob' | 'tree',
  options: OriginFileLocationOptions = {},
): string | undefined {
  const git = gitWebOf(origin, options);
  return git && gitWebPage(git.web, { branch: git.branch }, page, path);
}

/**
 * Where a file of a tree origin is: its Git web page at the commit the origin was read at where
 * the host shows one, else the most precise address of the source (the repository URL, the OCI
 * artifact by digest, the bucket object, the artifact source-controller serves, the local file).
 * The one place that turns an origin and a file into a catalog location.
 *
 * @public
 */
export function originFileLocation(
  origin: TreeOrigin,
  file: string,
  options: OriginFileLocationOptions = {},
): OriginFileLocation {
  const kind = kindOfLocation(origin);
  if (!options.repoUrl && origin.url) {
    if (kind === 'OCIRepository') {
      const { digest } = parseFluxRevision(origin.revision);
      const ref = origin.url.replace(/^oci:\/\//, '');
      return { location: `oci:${ref}${digest ? `@${digest}` : ''}` };
    }
    if (kind === 'Bucket') return { location: `url:${origin.url}/${file}` };
    if (kind === 'ExternalArtifact') return { location: `url:${origin.url}` };
  }
  const git = gitWebOf(origin, options);
  if (git) {
    const at = { commit: git.commit, branch: git.branch };
    const dir = options.directory ? file : dirOf(file);
    return {
      location: `url:${gitWebPage(
        git.web,
        at,
        options.directory ? 'tree' : 'blob',
        file,
      )}`,
      sourceLocation: `url:${gitWebPage(git.web, at, 'tree', dir)}/`,
    };
  }
  const address =
    kind === 'GitRepository' && origin.url
      ? gitWebAddress(origin.url)
      : undefined;
  if (address) {
    return {
      location: `url:${address.url}`,
      sourceLocation: `url:${address.url}`,
    };
  }
  if (origin.kind === 'local') {
    return { location: `file:${origin.location}/${file}` };
  }
  if (origin.kind === 'url') return { location: `url:${origin.location}` };
  // A Flux source whose address is not known: name it as the suite shows it.
  return { location: `flux:${origin.location}` };
}
