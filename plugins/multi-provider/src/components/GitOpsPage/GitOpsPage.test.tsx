import { renderInTestApp } from '@backstage/frontend-test-utils';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { platformGitOps } from '../../__fixtures__/gitops';
import { mockMultiProviderApi } from '../../__fixtures__/mockApi';
import { multiProviderApiRef } from '../../api';
import { GitOpsPage } from './GitOpsPage';

describe('GitOpsPage', () => {
  it('lists every Flux object with its roll-up and filters by verdict', async () => {
    const api = mockMultiProviderApi({
      getPlatformGitOps: async () => platformGitOps(),
    });
    renderInTestApp(<GitOpsPage />, { apis: [[multiProviderApiRef, api]] });
    expect(
      await screen.findByText('platform-vso-config', {}, { timeout: 15_000 }),
    ).toBeInTheDocument();
    expect(screen.getByText('failing (1)')).toBeInTheDocument();
    fireEvent.click(screen.getByText('failing (1)'));
    await waitFor(() =>
      expect(api.getPlatformGitOps).toHaveBeenLastCalledWith({
        state: 'failing',
      }),
    );
  });
});
