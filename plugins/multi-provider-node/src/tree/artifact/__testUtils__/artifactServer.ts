import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the server answers for one path. */
export type Route =
  | { body: Buffer; status?: number; headers?: Record<string, string> }
  /** Sends the status line and headers, then nothing: a server that stalls. */
  | { hang: true };

/**
 * A loopback HTTP server for artifacts: real sockets, so streaming, backpressure and aborts are
 * exercised as against source-controller. Counts the requests per path.
 */
export async function startArtifactServer() {
  const routes = new Map<string, Route>();
  const requests = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const path = req.url ?? '/';
    requests.set(path, (requests.get(path) ?? 0) + 1);
    const route = routes.get(path);
    if (!route) {
      res.writeHead(404, 'Not Found').end('artifact not found');
      return;
    }
    if ('hang' in route) {
      res.writeHead(200, { 'content-type': 'application/gzip' });
      res.flushHeaders();
      return;
    }
    res.writeHead(route.status ?? 200, {
      'content-type': 'application/gzip',
      'content-length': String(route.body.length),
      ...route.headers,
    });
    res.end(route.body);
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (path: string) => `http://127.0.0.1:${port}${path}`,
    serve(path: string, route: Route) {
      routes.set(path, route);
      return `http://127.0.0.1:${port}${path}`;
    },
    requests: (path: string) => requests.get(path) ?? 0,
    close: () =>
      new Promise<void>(resolve => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type ArtifactServer = Awaited<ReturnType<typeof startArtifactServer>>;
