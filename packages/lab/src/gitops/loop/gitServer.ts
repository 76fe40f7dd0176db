import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';

/**
 * Where the lab tree points every HelmRepository (`gitops/infrastructure/sources/lab`): the lab
 * cannot download charts, and a public chart host would only cost DNS look-ups and connection
 * attempts that fail. Below this path every request is refused at once with this answer, so each
 * HelmRepository turns not-Ready with a reason that says why.
 */
export const CHARTS_PATH = '/charts/';
export const NO_SUCH_CHART =
  'no such chart: the lab serves no Helm charts and looks up no chart host (docs/lab/gitops-loop.md)\n';

/**
 * A loopback Git server over smart HTTP: `git http-backend` (CGI) behind Node's HTTP server.
 * Repositories are the directories `<projectRoot>/<name>.git`: scratch bare repositories tests
 * create (the GitOps repository Flux reads is on the lab's forge, forge.ts). Read-only:
 * receive-pack is disabled. It also stands in for the chart hosts: 404 with {@link NO_SUCH_CHART}
 * for everything under {@link CHARTS_PATH}. `/healthz` answers 200.
 */
export function gitHttpHandler(projectRoot: string): http.RequestListener {
  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
      return;
    }
    if (url.pathname.startsWith(CHARTS_PATH)) {
      res
        .writeHead(404, { 'content-type': 'text/plain; charset=utf-8' })
        .end(NO_SUCH_CHART);
      return;
    }
    const repo = url.pathname.split('/')[1] ?? '';
    if (
      !/^[A-Za-z0-9._-]+\.git$/.test(repo) ||
      url.pathname.includes('..') ||
      !fs.existsSync(path.join(projectRoot, repo)) ||
      url.searchParams.get('service') === 'git-receive-pack' ||
      url.pathname.endsWith('/git-receive-pack')
    ) {
      res.writeHead(404).end('not found\n');
      return;
    }
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      GIT_PROJECT_ROOT: projectRoot,
      GIT_HTTP_EXPORT_ALL: '1',
      // The served directories belong to whoever owns the checkout.
      GIT_CONFIG_COUNT: '2',
      GIT_CONFIG_KEY_0: 'safe.directory',
      GIT_CONFIG_VALUE_0: '*',
      GIT_CONFIG_KEY_1: 'http.receivepack',
      GIT_CONFIG_VALUE_1: 'false',
      REQUEST_METHOD: req.method ?? 'GET',
      PATH_INFO: decodeURIComponent(url.pathname),
      QUERY_STRING: url.search.replace(/^\?/, ''),
      CONTENT_TYPE: req.headers['content-type'] ?? '',
      REMOTE_ADDR: req.socket.remoteAddress ?? '127.0.0.1',
      GIT_PROTOCOL: String(req.headers['git-protocol'] ?? ''),
      HTTP_CONTENT_ENCODING: String(req.headers['content-encoding'] ?? ''),
    };
    if (req.headers['content-length'])
      env.CONTENT_LENGTH = String(req.headers['content-length']);
    const cgi = spawn('git', ['http-backend'], { env });
    req.pipe(cgi.stdin);
    let head = Buffer.alloc(0);
    let headersDone = false;
    cgi.stdout.on('data', (chunk: Buffer) => {
      if (headersDone) {
        res.write(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      let sep = head.indexOf('\r\n\r\n');
      let sepLen = 4;
      if (sep < 0) {
        sep = head.indexOf('\n\n');
        sepLen = 2;
      }
      if (sep < 0) return;
      headersDone = true;
      let status = 200;
      for (const line of head.subarray(0, sep).toString('utf8').split(/\r?\n/)) {
        const i = line.indexOf(':');
        if (i < 0) continue;
        const k = line.slice(0, i).trim();
        const v = line.slice(i + 1).trim();
        if (k.toLowerCase() === 'status') status = Number(v.split(' ')[0]);
        else res.setHeader(k, v);
      }
      res.writeHead(status);
      res.write(head.subarray(sep + sepLen));
    });
    cgi.stderr.on('data', (d: Buffer) => process.stderr.write(d));
    cgi.on('close', () => {
      if (!headersDone) res.writeHead(500);
      res.end();
    });
    cgi.on('error', () => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  };
}

/** Runs the Git server in the foreground until SIGTERM (`lab gitops git-serve`). */
export async function serveGit(
  projectRoot: string,
  port: number,
): Promise<void> {
  const server = http.createServer(gitHttpHandler(projectRoot));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  console.log(`git server: http://127.0.0.1:${port}/ serving ${projectRoot}`);
  await new Promise<void>(resolve => {
    for (const sig of ['SIGTERM', 'SIGINT'] as const)
      process.once(sig, () => server.close(() => resolve()));
  });
}
