import { fireEvent, screen, waitFor } from '@testing-library/react';
import { renderGitOpsTab } from '../../__testUtils__/renderGitOpsTab';

// A file of its own: the permission hook caches decisions per module.
describe('EntityGitOpsContent for operators', () => {
  it('offers reconcile and suspend to operators and sends the action', async () => {
    const api = renderGitOpsTab('ALLOW');
    const buttons = await screen.findAllByText(
      'Reconcile now',
      {},
      { timeout: 15_000 },
    );
    fireEvent.click(buttons[0]);
    await waitFor(() =>
      expect(api.fluxAction).toHaveBeenCalledWith({
        cluster: 'lab',
        kind: 'Kustomization',
        namespace: 'flux-system',
        name: 'apps-pihole-hetzner',
        action: 'reconcile',
      }),
    );
    expect(screen.getAllByText('Suspend').length).toBeGreaterThan(0);
  });
});
