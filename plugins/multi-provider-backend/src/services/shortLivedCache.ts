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
export const CALLER_CACHE_TTL_MS = 5_000;
/** Entries kept at most per cache; the oldest is dropped first. */
export const CALLER_CACHE_MAX = 1_000;

/**
 * A size-bounded cache of promises that expire `ttlMs` after they were made. Concurrent callers of
 * one key share the promise in flight; a rejected promise, and a value `keep` refuses, is
 * dropped at once, so only what `keep` accepts is ever reused.
 */
export class ShortLivedCache<T> {
  private readonly entries = new Map<
    string,
    { expires: number; value: Promise<T> }
  >();

  constructor(
    private readonly ttlMs = CALLER_CACHE_TTL_MS,
    private readonly max = CALLER_CACHE_MAX,
    private readonly now: () => number = Date.now,
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
    const hit = this.entries.get(key);
    if (hit && hit.expires > t) return hit.value;
    if (hit) this.entries.delete(key);
    const value = load();
    const entry = { expires: t + this.ttlMs, value };
    this.entries.set(key, entry);
    if (this.entries.size > this.max) {
      this.entries.delete(this.entries.keys().next().value!);
    }
    const drop = () => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    };
    value.then(v => keep(v) || drop(), drop);
    return value;
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
    get(target, prop, receiver) {
      if (prop !== 'getEntityByRef') return Reflect.get(target, prop, receiver);
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
