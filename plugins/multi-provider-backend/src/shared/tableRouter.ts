import {
  BackstageCredentials,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import {
  multiProviderPermissions,
  multiProviderRoutes,
} from '@cloudlab/plugin-multi-provider-common';
import express, { Request, Response } from 'express';
import Router from 'express-promise-router';
import { BasicPermission } from '@backstage/plugin-permission-common';
import { z } from 'zod';
import { parseInput, permissionGuard } from './guard';

type TableRoute = (typeof multiProviderRoutes)[number];

type KeyOf<R> = R extends TableRoute ? `${R['method']} ${R['path']}` : never;

/** A route of the shared table by its `METHOD /path`. */
export type RouteKey = KeyOf<TableRoute>;

type RouteOf<K extends RouteKey> = TableRoute extends infer R
  ? R extends TableRoute
    ? KeyOf<R> extends K
      ? R
      : never
    : never
  : never;

type Parsed<R, F extends 'params' | 'query' | 'body'> = R extends {
  [P in F]: z.ZodTypeAny;
}
  ? z.output<R[F]>
  : undefined;

/** What a route handler receives: the authorized caller and its input, parsed by the table's schemas. */
export interface RouteInput<K extends RouteKey> {
  credentials: BackstageCredentials;
  params: Parsed<RouteOf<K>, 'params'>;
  query: Parsed<RouteOf<K>, 'query'>;
  body: Parsed<RouteOf<K>, 'body'>;
}

/** Answers one route; it writes the response itself. */
export type RouteHandler<K extends RouteKey> = (
  input: RouteInput<K>,
  req: Request,
  res: Response,
) => Promise<void>;

/** One handler per route a router serves, keyed by the route's `METHOD /path`. */
export type RouteHandlers<K extends RouteKey> = { [P in K]: RouteHandler<P> };

/** Dependencies every table router needs to authorize its routes. */
export interface TableRouterOptions {
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
}

/** The route table's row for `key` (`METHOD /path`). */
export function tableRoute(key: RouteKey): TableRoute {
  const routes: readonly TableRoute[] = multiProviderRoutes;
  const row = routes.find(r => `${r.method} ${r.path}` === key);
  if (!row) throw new Error(`Route ${key} is not in the route table`);
  return row;
}

/** The permission a row of the route table names. */
export function routePermission(row: TableRoute): BasicPermission {
  const permission = multiProviderPermissions.find(
    p => p.name === row.permission,
  );
  if (!permission || permission.type !== 'basic') {
    throw new Error(
      `Route ${row.method} ${row.path} names unknown permission ${row.permission}`,
    );
  }
  return permission;
}

/**
 * A router serving the given routes of `-common`'s route table, so method, path, permission and
 * input schemas are written once, there. Each request is authorized with the route's permission
 * before any input is read (403 otherwise), then its path parameters, query and body are parsed
 * with the route's schemas (400 naming the field), and only then is the handler called.
 */
export function routerFromTable<K extends RouteKey>(
  options: TableRouterOptions,
  handlers: RouteHandlers<K>,
): express.Router {
  const router = Router();
  const keys = Object.keys(handlers) as K[];
  const rows = keys.map(tableRoute);
  if (rows.some(row => 'body' in row)) router.use(express.json());

  keys.forEach((key, i) => {
    const row = rows[i];
    const permission = routePermission(row);
    const authorize = permissionGuard(
      options.httpAuth,
      options.permissions,
      permission,
    );
    const handler = handlers[key] as unknown as RouteHandler<RouteKey>;
    const schemas = row as {
      params?: z.ZodTypeAny;
      query?: z.ZodTypeAny;
      body?: z.ZodTypeAny;
    };
    const serve = async (req: Request, res: Response) => {
      const credentials = await authorize(req);
      const input = {
        credentials,
        params:
          schemas.params &&
          parseInput(schemas.params, req.params, 'path parameters'),
        query: schemas.query && parseInput(schemas.query, req.query, 'query'),
        body:
          schemas.body && parseInput(schemas.body, req.body, 'request body'),
      } as RouteInput<RouteKey>;
      await handler(input, req, res);
    };
    if (row.method === 'GET') router.get(row.path, serve);
    else router.post(row.path, serve);
  });
  return router;
}
