import type { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';

/** Where the policy's settings live in app-config. */
export const PERMISSION_CONFIG_KEY = 'cloudlab.permissions';

/** Used when `cloudlab.permissions.adminGroups` is not set. */
export const DEFAULT_ADMIN_GROUPS = ['group:default/platform-admins'];
/** Used when `cloudlab.permissions.templateRunnerGroups` is not set. */
export const DEFAULT_TEMPLATE_RUNNER_GROUPS = ['group:default/platform-team'];

export interface CloudlabPermissionConfig {
  /** Members of these groups may do everything. */
  adminGroups: string[];
  /** Members of these groups may run software templates (besides admins). */
  templateRunnerGroups: string[];
}

function readGroupRefs(
  config: Config | undefined,
  key: string,
  fallback: string[],
): string[] {
  const refs = config?.getOptionalStringArray(key) ?? fallback;
  return refs.map(ref => {
    try {
      const parsed = parseEntityRef(ref, {
        defaultKind: 'group',
        defaultNamespace: 'default',
      });
      if (parsed.kind.toLocaleLowerCase('en-US') !== 'group') {
        throw new Error(`kind is ${parsed.kind}`);
      }
      return stringifyEntityRef(parsed).toLocaleLowerCase('en-US');
    } catch (e) {
      throw new InputError(
        `${PERMISSION_CONFIG_KEY}.${key}: "${ref}" is not a group entity reference (${
          (e as Error).message
        })`,
      );
    }
  });
}

/** Reads the policy settings, with defaults, failing loudly on a malformed reference. */
export function readPermissionConfig(root: Config): CloudlabPermissionConfig {
  const config = root.getOptionalConfig(PERMISSION_CONFIG_KEY);
  return {
    adminGroups: readGroupRefs(config, 'adminGroups', DEFAULT_ADMIN_GROUPS),
    templateRunnerGroups: readGroupRefs(
      config,
      'templateRunnerGroups',
      DEFAULT_TEMPLATE_RUNNER_GROUPS,
    ),
  };
}
