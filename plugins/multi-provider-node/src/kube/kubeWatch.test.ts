import http from 'node:http';
import { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { describeClusterError } from './retryPolicy';
import { KubeHttpError, kubeList, kubeWatch } from './kubeWatch';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

async function serve(handler: Handler) {
  const server = http.createServer(handler);
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [
      {
        name: 'c',
        server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        skipTLSVerify: true, // client-node refuses http:// otherwise
      },
    ],
    users: [{ name: 'u', token: 't0ken' }],
    contexts: [{ name: 'c', cluster: 'c', user: 'u' }],
    currentContext: 'c',
  });
  return {
    kc,
    close: () => {
      server.closeAllConnections();
      return new Promise(r => server.close(r));
    },
  };
}

const event = (type: string, name: string) =>
  `${JSON.stringify({
    type,
    object: { metadata: { name, resourceVersion: '7' } },
  })}\n`;

describe('kubeWatch', () => {
  it('streams events with the query and token, and reports a clean close once', async () => {
    let seen: http.IncomingMessage | undefined;
    const { kc, close } = await serve((req, res) => {
      seen = req;
      res.writeHead(200);
      res.write(event('ADDED', 'a'));
      // an event split over two chunks
      const second = event('DELETED', 'b');
      res.write(second.slice(0, 10));
      setTimeout(() => res.end(second.slice(10)), 5);
    });
    const events: string[] = [];
    const done = new Promise(resolve => {
      void kubeWatch(
        kc,
        '/api/v1/pods',
        { resourceVersion: '5' },
        e => events.push(`${e.type} ${(e.object as any).metadata.name}`),
        resolve,
      );
    });
    expect(await done).toBeUndefined();
    expect(events).toEqual(['ADDED a', 'DELETED b']);
    expect(seen?.url).toBe('/api/v1/pods?watch=true&resourceVersion=5');
    expect(seen?.headers.authorization).toBe('Bearer t0ken');
    await close();
  });

  it('fails to start on a non-200 with its status, Status message and Retry-After', async () => {
    const { kc, close } = await serve((_req, res) => {
      res.writeHead(429, { 'retry-after': '3' });
      res.end(
        JSON.stringify({ kind: 'Status', code: 429, message: 'slow down' }),
      );
    });
    const err = await kubeWatch(
      kc,
      '/api/v1/pods',
      {},
      () => {},
      () => {},
    ).catch(e => e);
    expect(describeClusterError(err)).toEqual({
      type: 'rate-limited',
      status: 429,
      message: 'HTTP 429: slow down',
      retryAfterMs: 3000,
    });
    await close();
  });

  it('ends with an error on a line that is not a watch event, instead of skipping it while the stream looks alive', async () => {
    const { kc, close } = await serve((_req, res) => {
      res.writeHead(200);
      res.write(event('ADDED', 'a'));
      res.write('<html>bad gateway\n'); // and the connection stays open
    });
    const events: string[] = [];
    const err = await new Promise(resolve => {
      void kubeWatch(kc, '/api/v1/pods', {}, e => events.push(e.type), resolve);
    });
    expect(events).toEqual(['ADDED']);
    expect(describeClusterError(err)).toMatchObject({
      type: 'server-error',
      message: expect.stringMatching(/^garbled watch stream/),
    });
    await close();
  });

  it('reports a stream cut mid-way as an error, and stop() ends it silently', async () => {
    let cut: (() => void) | undefined;
    const { kc, close } = await serve((req, res) => {
      res.writeHead(200);
      res.write(event('ADDED', 'a'));
      cut = () => req.socket.destroy();
    });
    const err = await new Promise(resolve => {
      void kubeWatch(kc, '/x', {}, () => cut?.(), resolve);
    });
    expect(describeClusterError(err).type).toBe('unreachable');

    const onDone = jest.fn();
    const w = await kubeWatch(kc, '/x', {}, () => {}, onDone);
    w.stop();
    await new Promise(r => setTimeout(r, 20));
    expect(onDone).not.toHaveBeenCalled();
    await close();
  });
});

describe('kubeList', () => {
  it('reads one page as plain JSON, with the query and token', async () => {
    let seen: http.IncomingMessage | undefined;
    const page = {
      kind: 'PodList',
      metadata: { resourceVersion: '42', continue: 'next' },
      items: [
        {
          metadata: { name: 'a', creationTimestamp: '2026-01-01T00:00:00Z' },
        },
      ],
    };
    const { kc, close } = await serve((req, res) => {
      seen = req;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(page));
    });
    const got = await kubeList(kc, '/api/v1/pods', {
      limit: '500',
      continue: 'tok',
    });
    // Plain JSON: timestamps stay strings (no typed-model conversion).
    expect(got).toEqual(page);
    expect(seen?.url).toBe('/api/v1/pods?limit=500&continue=tok');
    expect(seen?.headers.authorization).toBe('Bearer t0ken');
    await close();
  });

  it('fails with the status, Retry-After and Status message, classified for retry', async () => {
    const { kc, close } = await serve((_req, res) => {
      res.writeHead(429, { 'retry-after': '2' });
      res.end(JSON.stringify({ kind: 'Status', message: 'slow down' }));
    });
    const err = await kubeList(kc, '/api/v1/pods', {}).catch(e => e);
    expect(err).toBeInstanceOf(KubeHttpError);
    expect(err).toMatchObject({ statusCode: 429, message: 'slow down' });
    expect(describeClusterError(err)).toMatchObject({
      status: 429,
      retryAfterMs: 2000,
    });
    await close();
  });

  it('refuses an answer that is not a list', async () => {
    const { kc, close } = await serve((_req, res) => {
      res.writeHead(200);
      res.end('{"kind":"Status"}');
    });
    await expect(kubeList(kc, '/api/v1/pods', {})).rejects.toThrow(
      '/api/v1/pods: the answer is not a list',
    );
    await close();
  });
});
