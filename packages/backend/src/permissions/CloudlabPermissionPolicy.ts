import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import {
  AuthorizeResult,
  type PolicyDecision,
  isPermission,
} from '@backstage/plugin-permission-common';
import type {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import {
  actionExecutePermission,
  taskCancelPermission,
  taskCreatePermission,
  templateDryRunPermission,
} from '@backstage/plugin-scaffolder-common/alpha';
import type { CloudlabPermissionConfig } from './readPermissionConfig';

/** Permissions that make up "running a software template". */
const TEMPLATE_RUN_PERMISSIONS = [
  taskCreatePermission,
  actionExecutePermission,
  templateDryRunPermission,
  taskCancelPermission,
];

/** Resolves the groups a signed-in user belongs to (ownership references, lower-cased). */
export type OwnershipResolver = (
  credentials: BackstageCredentials,
) => Promise<string[]>;

const allow: PolicyDecision = { result: AuthorizeResult.ALLOW };
const deny: PolicyDecision = { result: AuthorizeResult.DENY };

/**
 * Cloudlab's portal policy:
 * - administrators may do everything;
 * - every signed-in user may read;
 * - running templates is limited to the configured runner groups;
 * - anything else (catalog writes, template management, the Kubernetes proxy…) is for
 *   administrators only.
 */
export class CloudlabPermissionPolicy implements PermissionPolicy {
  constructor(
    private readonly config: CloudlabPermissionConfig,
    private readonly resolveOwnership: OwnershipResolver,
  ) {}

  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    const { permission } = request;
    if (!user) {
      // Service-to-service calls do not reach the policy; anything else without a user is refused.
      return permission.attributes.action === 'read' ? allow : deny;
    }
    const groups = new Set(
      (await this.resolveOwnership(user.credentials)).map(r =>
        r.toLocaleLowerCase('en-US'),
      ),
    );
    const inAny = (refs: string[]) => refs.some(ref => groups.has(ref));

    if (inAny(this.config.adminGroups)) {
      return allow;
    }
    if (TEMPLATE_RUN_PERMISSIONS.some(p => isPermission(permission, p))) {
      return inAny(this.config.templateRunnerGroups) ? allow : deny;
    }
    // Permissions without an action attribute are not reads: kubernetes.proxy, for one, can write
    // to clusters. They stay with administrators, as every other non-read does.
    return permission.attributes.action === 'read' ? allow : deny;
  }
}
