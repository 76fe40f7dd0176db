import { renderInTestApp } from '@backstage/frontend-test-utils';
import { platformGitOps } from '../../__fixtures__/gitops';
import { mockMultiProviderApi } from '../../__fixtures__/mockApi';
import { expectPlatformGitOpsPage } from '../../__testUtils__/viewExpectations';
import { multiProviderApiRef } from '../../api';
import { GitOpsPage } from './GitOpsPage';

describe('GitOpsPage', () => {
  it('lists every Flux object with its roll-up and filters by verdict', async () => {
    const api = mockMultiProviderApi({
      getPlatformGitOps: async () => platformGitOps(),
    });
    renderInTestApp(<GitOpsPage />, { apis: [[multiProviderApiRef, api]] });
    await expectPlatformGitOpsPage(api);
  });
});
