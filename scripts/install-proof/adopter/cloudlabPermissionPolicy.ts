// The permission policy an adopter writes from the @cloudlab/plugin-multi-provider-backend README:
// the Cloudlab views only for members of the configured groups, everything else as before.
// The install proof copies it into the fresh app's backend as packages/backend/src/.
import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import {
  AuthorizeResult,
  type PolicyDecision,
} from '@backstage/plugin-permission-common';
import type {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import { multiProviderPermissions } from '@cloudlab/plugin-multi-provider-common';

const cloudlabPermissionNames = new Set(
  multiProviderPermissions.map(permission => permission.name),
);

class CloudlabGroupPolicy implements PermissionPolicy {
  constructor(private readonly groups: string[]) {}

  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    if (!cloudlabPermissionNames.has(request.permission.name)) {
      return { result: AuthorizeResult.ALLOW };
    }
    const member = (user?.info.ownershipEntityRefs ?? []).some(ref =>
      this.groups.includes(ref),
    );
    return { result: member ? AuthorizeResult.ALLOW : AuthorizeResult.DENY };
  }
}

export default createBackendModule({
  pluginId: 'permission',
  moduleId: 'cloudlab-group-policy',
  register(reg) {
    reg.registerInit({
      deps: { policy: policyExtensionPoint, config: coreServices.rootConfig },
      async init({ policy, config }) {
        policy.setPolicy(
          new CloudlabGroupPolicy(
            config.getStringArray('cloudlabPolicy.allowedGroups'),
          ),
        );
      },
    });
  },
});
