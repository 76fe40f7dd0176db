import {
  BackstageCredentials,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { InputError, NotAllowedError } from '@backstage/errors';
import {
  AuthorizeResult,
  BasicPermission,
} from '@backstage/plugin-permission-common';
import { Request } from 'express';
import { z } from 'zod';

/** Validates route input with zod; a 400 naming the field and the rule otherwise. */
export function parseInput<T>(
  schema: z.ZodType<T, z.ZodTypeDef, unknown>,
  value: unknown,
  what: string,
): T {
  const result = schema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new InputError(
      `Invalid ${what}: ${issue.path.join('.') || '(root)'}: ${issue.message}`,
    );
  }
  return result.data;
}

/**
 * Throws `NotAllowedError` unless `credentials` are granted `permission`. The one check behind
 * every route (through {@link permissionGuard}) and every action, so both refuse alike.
 */
export async function authorizeCredentials(
  permissions: PermissionsService,
  permission: BasicPermission,
  credentials: BackstageCredentials,
): Promise<void> {
  const [decision] = await permissions.authorize([{ permission }], {
    credentials,
  });
  if (decision.result !== AuthorizeResult.ALLOW) {
    throw new NotAllowedError('Unauthorized');
  }
}

/** A request guard: the caller's credentials when the permission is granted, 403 otherwise. */
export function permissionGuard(
  httpAuth: HttpAuthService,
  permissions: PermissionsService,
  permission: BasicPermission,
): (req: Request) => Promise<BackstageCredentials> {
  return async req => {
    const credentials = await httpAuth.credentials(req);
    await authorizeCredentials(permissions, permission, credentials);
    return credentials;
  };
}
