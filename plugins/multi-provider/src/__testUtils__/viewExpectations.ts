import { fireEvent, screen, waitFor } from '@testing-library/react';
import type { MultiProviderApi } from '../api';

// What each view shows for the shared fixtures. The component tests and the legacy extension
// tests call the same function, so both frontend systems are held to the same answer.

const piholeRef = { kind: 'component', namespace: 'default', name: 'pihole' };

/** The Placement tab of `piholeEntity()` answered with `piholePlacement()`. */
export async function expectPiholePlacement(api: MultiProviderApi) {
  expect(await screen.findByText('Cluster lab')).toBeInTheDocument();
  expect(screen.getByText('Cluster far-away')).toBeInTheDocument();
  expect(api.getEntityPlacement).toHaveBeenCalledWith(piholeRef);
}

/** The Storage tab of `piholeEntity()` answered with `piholeStorage()`. */
export async function expectPiholeStorage(api: MultiProviderApi) {
  expect(
    await screen.findByText('pihole-hetzner/pihole-data'),
  ).toBeInTheDocument();
  expect(api.getEntityStorage).toHaveBeenCalledWith(piholeRef);
  expect(screen.getByText('Hetzner Cloud')).toBeInTheDocument();
  expect(screen.getByText('hel1')).toBeInTheDocument();
  expect(
    screen.getByText(
      'pihole-abc → hetzner-hel1-dc2-cx32-1 (hetzner, hel1-dc2)',
    ),
  ).toBeInTheDocument();
  expect(screen.getByText('volume-node-affinity-conflict')).toBeInTheDocument();
  expect(
    screen.getByText(/Fix: Give the claim a class of the provider/),
  ).toBeInTheDocument();
}

/** The Storage page answered with `labStorage()` and `labDesiredStorage()`. */
export async function expectLabStoragePage() {
  expect(
    await screen.findByRole('img', {
      name: 'Hetzner Cloud hel1: 1 claims, 1 of 4 volumes bound',
    }),
  ).toBeInTheDocument();
  expect(screen.getByText('default')).toBeInTheDocument();
  expect(screen.getByText('1 node(s): h1')).toBeInTheDocument();
  expect(screen.getByText(/hcloud-volumes is the default/)).toBeInTheDocument();
  expect(
    await screen.findByText('Deployment pihole (hetzner)'),
  ).toBeInTheDocument();
  expect(
    screen.getByText('No storage findings in the desired state'),
  ).toBeInTheDocument();
}

/** The GitOps page answered with `platformGitOps()`: lists, then filters by verdict. */
export async function expectPlatformGitOpsPage(api: MultiProviderApi) {
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
}

/**
 * The GitOps tab of `gitOpsEntity` (see `renderGitOpsTab`) for a user without the operate
 * permission.
 */
export async function expectGitOpsTabForViewer() {
  expect(
    await screen.findByText('degraded', {}, { timeout: 15_000 }),
  ).toBeInTheDocument();
  expect(screen.getAllByText(/ReconciliationFailed/).length).toBeGreaterThan(0);
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
}
