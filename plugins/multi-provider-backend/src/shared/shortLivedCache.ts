import {
  BackstageCredentials,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  AuthorizeResult,
  isResourcePermission,
} from '@backstage/plugin-permission-common';

/**
 * How long an ALLOW decision and a resolved catalog entity are reused for one caller
 * (docs/adr/1102-short-lived-caller-caches.md): a revoked permission, or an entity removed from
 * the catalog or made invisible to the caller, lasts at most this long for a caller who was
 * allowed just before.
 */
const CALLER_CACHE_TTL_MS = 5_000;
/** Entries kept at most per cache; the oldest is dropped first. */
const CALLER_CACHE_MAX = 1_000;

type Entry<T> = { expires: number; value: Promise<T>; next?: Entry<T> };

/**
 * A size-bounded cache of promises that expire `ttlMs` after their call started. Concurrent
 * callers of one key share the promise in flight; a rejected promise, and a value `keep`
 * refuses, is dropped at once, so only what `keep` accepts is ever reused. In the last
 * `refreshMs` of an entry's life the first caller starts its successor call while the entry
 * keeps serving; the successor replaces it when it resolves (or, when refused or failed, the key
 * is dropped), so a busy key does not make every caller wait at each expiry. No value is served
 * longer than `ttlMs` after its call started.
 */
export class ShortLivedCache<T> {
  private readonly entries = new Map<string, Entry<T>>();

  constructor(
    private readonly ttlMs = CALLER_CACHE_TTL_MS,
    private readonly max = CALLER_CACHE_MAX,
    private readonly now: () => number = Date.now,
    private readonly refreshMs = ttlMs / 5,
  ) {}

  get size() {
    return this.entries.size;
  }

  get(
    key: string,
    load: () => Promise<T>,
    keep: (v: T) => boolean,
  ): Promise<T> {
    const t = this.now();
    let hit = this.entries.get(key);
    if (hit && hit.expires <= t) {
      // Expired: its successor, if one was started, takes over (callers wait for it).
      hit = hit.next && hit.next.expires > t ? hit.next : undefined;
      if (hit) this.entries.set(key, hit);
      else this.entries.delete(key);
    }
    if (hit) {
      if (!hit.next && t >= hit.expires - this.refreshMs) {
        hit.next = this.call(key, load, keep, t, hit);
      }
      return hit.value;
    }
    const entry = this.call(key, load, keep, t);
    this.entries.set(key, entry);
    if (this.entries.size > this.max) {
      this.entries.delete(this.entries.keys().next().value!);
    }
    return entry.value;
  }

  private call(
    key: string,
    load: () => Promise<T>,
    keep: (v: T) => boolean,
    t: number,
    refreshing?: Entry<T>,
  ): Entry<T> {
    const entry: Entry<T> = { expires: t + this.ttlMs, value: load() };
    const drop = () => {
      if (refreshing?.next === entry) refreshing.next = undefined;
      const current = this.entries.get(key);
      if (current === entry || current === refreshing) this.entries.delete(key);
    };
    entry.value.then(v => {
      if (!keep(v)) drop();
      else if (refreshing && this.entries.get(key) === refreshing) {
        this.entries.set(key, entry);
      }
    }, drop);
    return entry;
  }
}

/** The caller a decision or a lookup is cached for: only user principals, by entity ref. */
function userKey(credentials: BackstageCredentials): string | undefined {
  const p = credentials.principal as { type?: string; userEntityRef?: string };
  return p?.type === 'user' && p.userEntityRef ? p.userEntityRef : undefined;
}

/**
 * The permissions service with a user's ALLOW decision for a basic permission (no resource)
 * reused for `ttlMs`. DENY and CONDITIONAL decisions, resource permissions, service callers and
 * errors are never cached: a caller not allowed a moment ago asks the policy again every time.
 */
export function cachedPermissions(
  permissions: PermissionsService,
  cache = new ShortLivedCache<
    Awaited<ReturnType<PermissionsService['authorize']>>
  >(),
): PermissionsService {
  return {
    authorizeConditional: (requests, options) =>
      permissions.authorizeConditional(requests, options),
    authorize: (requests, options) => {
      const user = userKey(options.credentials);
      const single = requests.length === 1 ? requests[0] : undefined;
      if (
        !user ||
        !single ||
        isResourcePermission(single.permission) ||
        'resourceRef' in single
      ) {
        return permissions.authorize(requests, options);
      }
      return cache.get(
        `${user}\n${single.permission.name}`,
        () => permissions.authorize(requests, options),
        ([d]) => d?.result === AuthorizeResult.ALLOW,
      );
    },
  };
}

/**
 * The catalog service with `getEntityByRef` for a user reused for `ttlMs` when the entity was
 * found (the catalog applies the user's own read permission). Not found is never cached, other
 * methods and service callers pass through.
 */
export function cachedCatalog(
  catalog: CatalogService,
  cache = new ShortLivedCache<Entity | undefined>(),
): CatalogService {
  return new Proxy(catalog, {
    get(target, prop) {
      if (prop !== 'getEntityByRef') {
        // Bound to the catalog itself: its methods may use private class fields, which a call
        // through the proxy cannot read.
        const value = Reflect.get(target, prop, target);
        return typeof value === 'function' ? value.bind(target) : value;
      }
      const getEntityByRef: CatalogService['getEntityByRef'] = (
        ref,
        options,
      ) => {
        const user = userKey(options.credentials);
        if (!user) return target.getEntityByRef(ref, options);
        const key = `${user}\n${
          typeof ref === 'string' ? ref : stringifyEntityRef(ref)
        }`;
        return cache.get(
          key,
          () => target.getEntityByRef(ref, options),
          e => e !== undefined,
        );
      };
      return getEntityByRef;
    },
  });
}
