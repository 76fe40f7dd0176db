import { renderInTestApp } from '@backstage/frontend-test-utils';
import { screen } from '@testing-library/react';
import { ClusterStateStatus } from './ClusterStateStatus';

describe('ClusterStateStatus', () => {
  it.each([
    ['synced', 'live'],
    ['syncing', 'syncing'],
    ['error', 'unreachable'],
  ] as const)('shows %s as %s', async (state, text) => {
    renderInTestApp(<ClusterStateStatus state={state} />);
    expect(await screen.findByText(text)).toBeInTheDocument();
  });

  it('says since when a stale cluster is stale', async () => {
    renderInTestApp(
      <ClusterStateStatus state="stale" staleSince="2026-01-01T10:00:00Z" />,
    );
    expect(await screen.findByText(/^stale since /)).toBeInTheDocument();
  });
});
