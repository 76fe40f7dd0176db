import http from 'node:http';
import { AddressInfo } from 'node:net';

type Obj = {
  metadata?: {
    name?: string;
    namespace?: string;
    labels?: Record<string, string>;
  };
};

function matches(selector: string | null, obj: Obj): boolean {
  if (!selector) return true;
  const labels = obj.metadata?.labels ?? {};
  return selector.split(',').every(part => {
    const [k, v] = part.split('=');
    return v === undefined ? k in labels : labels[k] === v;
  });
}

/**
 * A minimal Kubernetes API over HTTP for the benchmark: paginated, label-selected lists of fixed
 * objects by collection path, and watches that stay open without events. Both the multi-provider
 * cache and the stock kubernetes backend talk to it with their real HTTP clients, so the figures
 * compare the two designs rather than two transports.
 */
export async function startFakeKubeApi(
  collections: Record<string, Obj[]>,
): Promise<{
  url: string;
  close(): Promise<void>;
  requests: () => number;
  /** Sends a watch event to every open watch of `path` (the churn mode of the storage bench). */
  emit(path: string, type: 'ADDED' | 'MODIFIED' | 'DELETED', obj: Obj): void;
}> {
  let requests = 0;
  const watches = new Set<http.ServerResponse>();
  const watchesByPath = new Map<string, Set<http.ServerResponse>>();
  const server = http.createServer((req, res) => {
    requests += 1;
    const url = new URL(req.url ?? '/', 'http://x');
    const items = collections[url.pathname];
    if (!items) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({ kind: 'Status', code: 404, message: 'not found' }),
      );
      return;
    }
    if (
      url.searchParams.get('watch') === 'true' ||
      url.searchParams.get('watch') === '1'
    ) {
      res.writeHead(200, { 'content-type': 'application/json' });
      // Send the headers now: clients consider the watch established once they arrive.
      res.flushHeaders();
      watches.add(res);
      let open = watchesByPath.get(url.pathname);
      if (!open) watchesByPath.set(url.pathname, (open = new Set()));
      open.add(res);
      req.on('close', () => {
        watches.delete(res);
        open!.delete(res);
      });
      return;
    }
    const selected = items.filter(o =>
      matches(url.searchParams.get('labelSelector'), o),
    );
    const limit = Number(url.searchParams.get('limit') ?? 0) || selected.length;
    const start = Number(url.searchParams.get('continue') ?? 0);
    const page = selected.slice(start, start + limit);
    const next = start + limit < selected.length ? String(start + limit) : '';
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        kind: 'List',
        apiVersion: 'v1',
        metadata: { resourceVersion: '1', ...(next ? { continue: next } : {}) },
        items: page,
      }),
    );
  });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => requests,
    emit: (p, type, object) => {
      for (const w of watchesByPath.get(p) ?? []) {
        w.write(`${JSON.stringify({ type, object })}\n`);
      }
    },
    close: () =>
      new Promise(r => {
        for (const w of watches) w.destroy();
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
