import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import { CloudlabPermissionPolicy } from './CloudlabPermissionPolicy';
import { readPermissionConfig } from './readPermissionConfig';

/** Installs {@link CloudlabPermissionPolicy} as the permission backend's policy. */
export const permissionModuleCloudlabPolicy = createBackendModule({
  pluginId: 'permission',
  moduleId: 'cloudlab-policy',
  register(reg) {
    reg.registerInit({
      deps: {
        policy: policyExtensionPoint,
        config: coreServices.rootConfig,
        userInfo: coreServices.userInfo,
      },
      async init({ policy, config, userInfo }) {
        policy.setPolicy(
          new CloudlabPermissionPolicy(
            readPermissionConfig(config),
            async credentials =>
              (await userInfo.getUserInfo(credentials)).ownershipEntityRefs,
          ),
        );
      },
    });
  },
});
