import { screen } from '@testing-library/react';
import { renderGitOpsTab } from '../../__testUtils__/renderGitOpsTab';

describe('EntityGitOpsContent', () => {
  it('shows the roll-up with Flux reason, the chain, inventory placement and the secrets', async () => {
    renderGitOpsTab('DENY');
    expect(
      await screen.findByText('degraded', {}, { timeout: 15_000 }),
    ).toBeInTheDocument();
    expect(screen.getAllByText(/ReconciliationFailed/).length).toBeGreaterThan(
      0,
    );
    expect(
      screen.getByTestId('chain-Kustomization-platform-vso-config'),
    ).toHaveTextContent('failed');
    expect(screen.getByText(/1 pod\(s\) on hz-fsn-a/)).toBeInTheDocument();
    expect(screen.getByText('where it runs').closest('a')).toHaveAttribute(
      'href',
      '/catalog/default/component/pihole-hetzner/placement',
    );
    expect(screen.getByText('main@sha1:0123456')).toBeInTheDocument();
    expect(
      await screen.findByText(
        'pihole-hetzner/pihole-admin',
        {},
        { timeout: 15_000 },
      ),
    ).toBeInTheDocument();
    expect(screen.getByText('yes (VSO reports it synced)')).toBeInTheDocument();
    // Without the operate permission there is no action.
    expect(screen.queryByText('Reconcile now')).not.toBeInTheDocument();
  });
});
