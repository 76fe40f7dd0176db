import type { Entity } from '@backstage/catalog-model';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { piholeGitOps, piholeSecrets } from '../../__fixtures__/gitops';
import { mockMultiProviderApi } from '../../__fixtures__/mockApi';
import { multiProviderApiRef } from '../../api';
import { EntityGitOpsContent } from './EntityGitOpsContent';

const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'pihole-hetzner',
    namespace: 'default',
    annotations: {
      'cloudlab.dev/flux-kustomizations': 'lab/flux-system/apps-pihole-hetzner',
      'backstage.io/kubernetes-label-selector': 'app=pihole',
    },
  },
  spec: {},
};

function render(result: 'ALLOW' | 'DENY') {
  const api = mockMultiProviderApi({
    getEntityGitOps: async () => piholeGitOps(),
    getEntitySecrets: async () => piholeSecrets(),
    fluxAction: async r => ({
      object: r,
      action: r.action,
      requestedAt: 'now',
    }),
  });
  renderInTestApp(
    <EntityProvider entity={entity}>
      <EntityGitOpsContent />
    </EntityProvider>,
    {
      apis: [
        [multiProviderApiRef, api],
        [permissionApiRef, { authorize: async () => ({ result }) }],
      ],
    },
  );
  return api;
}

describe('EntityGitOpsContent', () => {
  it('shows the roll-up with Flux reason, the chain, inventory placement and the secrets', async () => {
    render('DENY');
    expect(await screen.findByText('degraded')).toBeInTheDocument();
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
      await screen.findByText('pihole-hetzner/pihole-admin'),
    ).toBeInTheDocument();
    expect(screen.getByText('yes (VSO reports it synced)')).toBeInTheDocument();
    // Without the operate permission there is no action.
    expect(screen.queryByText('Reconcile now')).not.toBeInTheDocument();
  });

  it('offers reconcile and suspend to operators and sends the action', async () => {
    const api = render('ALLOW');
    const buttons = await screen.findAllByText('Reconcile now');
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
