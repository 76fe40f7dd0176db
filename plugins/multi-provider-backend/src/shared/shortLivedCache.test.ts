import { mockCredentials } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  AuthorizeResult,
  createPermission,
} from '@backstage/plugin-permission-common';
import {
  ShortLivedCache,
  cachedCatalog,
  cachedPermissions,
} from './shortLivedCache';

const read = createPermission({
  name: 'test.read',
  attributes: { action: 'read' },
});
const alice = mockCredentials.user('user:default/alice');
const bob = mockCredentials.user('user:default/bob');

function clock() {
  const c = { t: 0, now: () => c.t };
  return c;
}

function permissionsAnswering(result: () => AuthorizeResult) {
  const authorize = jest.fn(async (reqs: any[]) =>
    reqs.map(() => ({ result: result() })),
  );
  const authorizeConditional = jest.fn();
  return { authorize, authorizeConditional } as any;
}

describe('cachedPermissions', () => {
  it('reuses a user ALLOW until the TTL, then asks the policy again', async () => {
    const c = clock();
    let result: AuthorizeResult = AuthorizeResult.ALLOW;
    const inner = permissionsAnswering(() => result);
    const p = cachedPermissions(inner, new ShortLivedCache(5000, 10, c.now));
    const ask = (credentials = alice) =>
      p.authorize([{ permission: read }], { credentials });
    expect((await ask())[0].result).toBe(AuthorizeResult.ALLOW);
    result = AuthorizeResult.DENY; // revoked
    c.t = 3999; // before the refresh window (the last second)
    expect((await ask())[0].result).toBe(AuthorizeResult.ALLOW);
    expect(inner.authorize).toHaveBeenCalledTimes(1);
    c.t = 5000;
    expect((await ask())[0].result).toBe(AuthorizeResult.DENY);
    expect(inner.authorize).toHaveBeenCalledTimes(2);
  });

  it('never caches DENY, and a new principal is always asked', async () => {
    let result: AuthorizeResult = AuthorizeResult.DENY;
    const inner = permissionsAnswering(() => result);
    const p = cachedPermissions(inner);
    const ask = (credentials = alice) =>
      p.authorize([{ permission: read }], { credentials });
    expect((await ask())[0].result).toBe(AuthorizeResult.DENY);
    expect((await ask())[0].result).toBe(AuthorizeResult.DENY);
    expect(inner.authorize).toHaveBeenCalledTimes(2);
    result = AuthorizeResult.ALLOW;
    expect((await ask())[0].result).toBe(AuthorizeResult.ALLOW);
    result = AuthorizeResult.DENY;
    expect((await ask(bob))[0].result).toBe(AuthorizeResult.DENY);
    expect(inner.authorize).toHaveBeenCalledTimes(4);
  });

  it('passes service callers and failures through uncached', async () => {
    const inner = permissionsAnswering(() => AuthorizeResult.ALLOW);
    const p = cachedPermissions(inner);
    const service = mockCredentials.service('plugin:catalog');
    await p.authorize([{ permission: read }], { credentials: service });
    await p.authorize([{ permission: read }], { credentials: service });
    expect(inner.authorize).toHaveBeenCalledTimes(2);
    inner.authorize.mockRejectedValueOnce(new Error('permission backend down'));
    await expect(
      p.authorize([{ permission: read }], { credentials: alice }),
    ).rejects.toThrow(/down/);
    await p.authorize([{ permission: read }], { credentials: alice });
    expect(inner.authorize).toHaveBeenCalledTimes(4);
  });

  it('shares one decision between concurrent requests of the same user', async () => {
    const inner = permissionsAnswering(() => AuthorizeResult.ALLOW);
    const p = cachedPermissions(inner);
    await Promise.all(
      Array.from({ length: 20 }, () =>
        p.authorize([{ permission: read }], { credentials: alice }),
      ),
    );
    expect(inner.authorize).toHaveBeenCalledTimes(1);
  });
});

describe('cachedCatalog', () => {
  const web = {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'web', namespace: 'default' },
  };

  it('reuses a found entity per user until the TTL; not found and other users ask again', async () => {
    const c = clock();
    const inner = catalogServiceMock.mock({
      getEntityByRef: jest.fn(async (ref: any) =>
        ref === 'component:default/web' ? (web as any) : undefined,
      ),
    });
    const catalog = cachedCatalog(inner, new ShortLivedCache(5000, 10, c.now));
    const get = (ref: string, credentials = alice) =>
      catalog.getEntityByRef(ref, { credentials });
    expect(await get('component:default/web')).toBe(web);
    expect(await get('component:default/web')).toBe(web);
    expect(inner.getEntityByRef).toHaveBeenCalledTimes(1);
    await get('component:default/web', bob);
    expect(inner.getEntityByRef).toHaveBeenCalledTimes(2);
    expect(await get('component:default/gone')).toBeUndefined();
    expect(await get('component:default/gone')).toBeUndefined();
    expect(inner.getEntityByRef).toHaveBeenCalledTimes(4);
    c.t = 5000;
    await get('component:default/web');
    expect(inner.getEntityByRef).toHaveBeenCalledTimes(5);
  });

  it('refreshes a busy key ahead of expiry; a refused refresh drops it at once', async () => {
    const c = clock();
    const cache = new ShortLivedCache<string>(5000, 10, c.now, 1000);
    let answer = 'allow';
    const load = jest.fn(async () => answer);
    const keep = (v: string) => v === 'allow';
    expect(await cache.get('k', load, keep)).toBe('allow');
    c.t = 3999;
    await cache.get('k', load, keep);
    expect(load).toHaveBeenCalledTimes(1);
    c.t = 4000; // refresh window: served from the entry, its successor started
    expect(await cache.get('k', load, keep)).toBe('allow');
    expect(load).toHaveBeenCalledTimes(2);
    c.t = 8999; // the successor (started at 4000) serves until 9000
    expect(await cache.get('k', load, keep)).toBe('allow');
    expect(load).toHaveBeenCalledTimes(3); // its own refresh window: successor started
    answer = 'deny';
    c.t = 9000;
    expect(await cache.get('k', load, keep)).toBe('allow'); // started at 8999
    c.t = 13000; // refresh window again: the refresh answers deny and the key is dropped
    await cache.get('k', load, keep);
    await new Promise(r => setImmediate(r));
    expect(cache.size).toBe(0);
    expect(await cache.get('k', load, keep)).toBe('deny');
  });

  it('keeps at most its bound, the oldest dropped first', async () => {
    const cache = new ShortLivedCache<number>(5000, 2);
    const keep = () => true;
    await cache.get('a', async () => 1, keep);
    await cache.get('b', async () => 2, keep);
    await cache.get('c', async () => 3, keep);
    expect(cache.size).toBe(2);
    expect(await cache.get('a', async () => 10, keep)).toBe(10);
  });
});
