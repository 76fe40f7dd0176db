import { ResponseError } from '@backstage/errors';
import { registerMswTestHooks } from '@backstage/frontend-test-utils';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import {
  hetznerOutage,
  labPlatform,
  piholePlacement,
} from '../__fixtures__/placement';
import {
  InvalidResponseError,
  MultiProviderClient,
} from './MultiProviderClient';

const BASE = 'http://localhost:7007/api/multi-provider';

describe('MultiProviderClient', () => {
  const server = setupServer();
  registerMswTestHooks(server);

  const fetchSpy = jest.fn((input: RequestInfo | URL, init?: RequestInit) =>
    fetch(input, init),
  );
  const client = new MultiProviderClient({
    discoveryApi: { getBaseUrl: async () => BASE },
    fetchApi: { fetch: fetchSpy },
  });

  afterEach(() => fetchSpy.mockClear());

  it('reads an entity placement from the encoded entity route', async () => {
    let seen = '';
    server.use(
      http.get(
        `${BASE}/entity/:namespace/:kind/:name/placement`,
        ({ request }) => {
          seen = new URL(request.url).pathname;
          return HttpResponse.json(piholePlacement());
        },
      ),
    );
    const answer = await client.getEntityPlacement({
      namespace: 'default',
      kind: 'Component',
      name: 'pi hole',
    });
    expect(seen).toBe(
      '/api/multi-provider/entity/default/Component/pi%20hole/placement',
    );
    expect(answer.clusters[0].podCount).toBe(3);
    expect(answer.clusters[1].error).toContain('ECONNREFUSED');
  });

  it('posts the failure domain as JSON through the fetch API', async () => {
    let body: unknown;
    server.use(
      http.post(`${BASE}/platform/failure-domain`, async ({ request }) => {
        body = await request.json();
        return HttpResponse.json(hetznerOutage());
      }),
    );
    const answer = await client.analyseFailureDomain({
      level: 'provider',
      name: 'hetzner',
    });
    expect(body).toEqual({ level: 'provider', name: 'hetzner' });
    expect(answer.clusters[0].summary.down).toBe(1);
    expect(fetchSpy).toHaveBeenCalledTimes(1);
    // Auth is the fetch API's job: the client adds no Authorization header.
    const headers = new Headers(fetchSpy.mock.calls[0][1]?.headers);
    expect(headers.has('authorization')).toBe(false);
  });

  it('reads the platform map and cluster states', async () => {
    server.use(
      http.get(`${BASE}/platform/placement`, () =>
        HttpResponse.json(labPlatform()),
      ),
      http.get(`${BASE}/clusters`, () =>
        HttpResponse.json({
          clusters: [{ name: 'lab', state: 'synced', nodes: 5, pods: 17 }],
        }),
      ),
    );
    expect(
      (await client.getPlatformPlacement()).clusters[0].nonEuNodes,
    ).toEqual(['hz-ash-1']);
    expect((await client.getClusters()).clusters[0].pods).toBe(17);
  });

  it('throws a ResponseError with the backend message on non-OK answers', async () => {
    server.use(
      http.get(`${BASE}/platform/placement`, () =>
        HttpResponse.json(
          {
            error: { name: 'NotAllowedError', message: 'Unauthorized' },
            response: { statusCode: 403 },
          },
          { status: 403 },
        ),
      ),
    );
    const error = await client.getPlatformPlacement().catch(e => e);
    expect(error).toBeInstanceOf(ResponseError);
    expect(error.statusCode).toBe(403);
    expect(error.body.error.name).toBe('NotAllowedError');
  });

  it('rejects an answer that breaks the shared schema, never patching it up', async () => {
    server.use(
      http.get(`${BASE}/clusters`, () =>
        HttpResponse.json({ clusters: [{ name: 'lab', state: 'fine' }] }),
      ),
    );
    await expect(client.getClusters()).rejects.toThrow(InvalidResponseError);
  });

  it('refuses to send an invalid failure domain', async () => {
    await expect(
      client.analyseFailureDomain({ level: 'provider', name: '' }),
    ).rejects.toThrow();
    expect(fetchSpy).not.toHaveBeenCalled();
  });
});
