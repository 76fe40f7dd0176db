import { ConfigReader } from '@backstage/config';
import { mockCredentials } from '@backstage/backend-test-utils';
import {
  AuthorizeResult,
  createPermission,
} from '@backstage/plugin-permission-common';
import {
  catalogEntityDeletePermission,
  catalogEntityReadPermission,
} from '@backstage/plugin-catalog-common/alpha';
import {
  actionExecutePermission,
  taskCreatePermission,
  taskReadPermission,
  templateManagementPermission,
} from '@backstage/plugin-scaffolder-common/alpha';
import {
  multiProviderFluxOperatePermission,
  multiProviderGitopsReadPermission,
} from '@cloudlab/plugin-multi-provider-common';
import { CloudlabPermissionPolicy } from './CloudlabPermissionPolicy';
import { readPermissionConfig } from './readPermissionConfig';

const memberships: Record<string, string[]> = {
  'user:default/ada': ['user:default/ada', 'group:default/platform-admins'],
  'user:default/pat': ['user:default/pat', 'Group:default/Platform-Team'],
  'user:default/lin': ['user:default/lin', 'group:default/app-team'],
};

function policyFor(config: object = {}) {
  return new CloudlabPermissionPolicy(
    readPermissionConfig(new ConfigReader(config)),
    async credentials =>
      memberships[
        (credentials.principal as { userEntityRef: string }).userEntityRef
      ] ?? [],
  );
}

async function decide(
  policy: CloudlabPermissionPolicy,
  user: string,
  permission: Parameters<CloudlabPermissionPolicy['handle']>[0]['permission'],
) {
  const credentials = mockCredentials.user(user);
  const decision = await policy.handle(
    { permission },
    { credentials, info: { userEntityRef: user, ownershipEntityRefs: [] } },
  );
  return decision.result;
}

describe('CloudlabPermissionPolicy', () => {
  const policy = policyFor();

  it('lets every user read', async () => {
    for (const user of Object.keys(memberships)) {
      expect(await decide(policy, user, catalogEntityReadPermission)).toBe(
        AuthorizeResult.ALLOW,
      );
      expect(await decide(policy, user, taskReadPermission)).toBe(
        AuthorizeResult.ALLOW,
      );
    }
  });

  it('lets every user read the GitOps views, only administrators operate Flux', async () => {
    for (const user of Object.keys(memberships)) {
      expect(
        await decide(policy, user, multiProviderGitopsReadPermission),
      ).toBe(AuthorizeResult.ALLOW);
    }
    expect(
      await decide(
        policy,
        'user:default/ada',
        multiProviderFluxOperatePermission,
      ),
    ).toBe(AuthorizeResult.ALLOW);
    for (const user of ['user:default/pat', 'user:default/lin']) {
      expect(
        await decide(policy, user, multiProviderFluxOperatePermission),
      ).toBe(AuthorizeResult.DENY);
    }
  });

  it('lets template runners (case-insensitive group refs) run templates', async () => {
    expect(await decide(policy, 'user:default/pat', taskCreatePermission)).toBe(
      AuthorizeResult.ALLOW,
    );
    expect(
      await decide(policy, 'user:default/pat', actionExecutePermission),
    ).toBe(AuthorizeResult.ALLOW);
  });

  it('refuses template runs to users outside the runner groups', async () => {
    expect(await decide(policy, 'user:default/lin', taskCreatePermission)).toBe(
      AuthorizeResult.DENY,
    );
    expect(
      await decide(policy, 'user:default/lin', actionExecutePermission),
    ).toBe(AuthorizeResult.DENY);
  });

  it('keeps other writes for administrators', async () => {
    expect(
      await decide(policy, 'user:default/pat', catalogEntityDeletePermission),
    ).toBe(AuthorizeResult.DENY);
    expect(
      await decide(policy, 'user:default/pat', templateManagementPermission),
    ).toBe(AuthorizeResult.DENY);
    expect(
      await decide(policy, 'user:default/ada', catalogEntityDeletePermission),
    ).toBe(AuthorizeResult.ALLOW);
    expect(await decide(policy, 'user:default/ada', taskCreatePermission)).toBe(
      AuthorizeResult.ALLOW,
    );
  });

  it('reads the admin and runner groups from configuration', async () => {
    const configured = policyFor({
      cloudlab: {
        permissions: {
          adminGroups: ['app-team'],
          templateRunnerGroups: ['group:default/nobody'],
        },
      },
    });
    expect(
      await decide(
        configured,
        'user:default/lin',
        catalogEntityDeletePermission,
      ),
    ).toBe(AuthorizeResult.ALLOW);
    expect(
      await decide(configured, 'user:default/pat', taskCreatePermission),
    ).toBe(AuthorizeResult.DENY);
  });

  it('treats permissions without an action as non-reads (kubernetes.proxy)', async () => {
    const write = createPermission({
      name: 'x.write',
      attributes: { action: 'update' },
    });
    expect((await policy.handle({ permission: write })).result).toBe(
      AuthorizeResult.DENY,
    );
    const proxy = createPermission({
      name: 'kubernetes.proxy',
      attributes: {},
    });
    expect(await decide(policy, 'user:default/pat', proxy)).toBe(
      AuthorizeResult.DENY,
    );
    expect(await decide(policy, 'user:default/ada', proxy)).toBe(
      AuthorizeResult.ALLOW,
    );
  });

  it('rejects a non-group reference in configuration, naming the key', () => {
    expect(() =>
      readPermissionConfig(
        new ConfigReader({
          cloudlab: { permissions: { adminGroups: ['user:default/ada'] } },
        }),
      ),
    ).toThrow(/cloudlab\.permissions\.adminGroups: "user:default\/ada"/);
  });
});
