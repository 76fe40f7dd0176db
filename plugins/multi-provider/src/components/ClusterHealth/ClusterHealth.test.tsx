import { renderInTestApp } from '@backstage/frontend-test-utils';
import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { CLUSTER_PROBLEMS } from '../../helpers/clusterProblem';
import { ClusterHealth } from './ClusterHealth';

describe('ClusterHealth', () => {
  it('a live cluster reads "live" and shows no panel', async () => {
    renderInTestApp(
      <ClusterHealth header={{ cluster: 'lab', state: 'synced' }} />,
    );
    expect(await screen.findByText('live')).toBeInTheDocument();
    expect(
      screen.queryByLabelText('problem with cluster lab'),
    ).not.toBeInTheDocument();
  });

  it('a stale cluster says since when and why, and that the data is the last known state', async () => {
    const staleSince = new Date(Date.now() - 5 * 60_000).toISOString();
    renderInTestApp(
      <ClusterHealth
        header={{
          cluster: 'lab',
          state: 'stale',
          staleSince,
          error: 'read ECONNRESET',
          errorType: 'unreachable',
        }}
      />,
    );
    expect(
      await screen.findByText(/^stale since .* \(5 min ago\) · unreachable$/),
    ).toBeInTheDocument();
    expect(
      screen.getByText(
        /^Warning: Cluster lab: showing the last known state from .* \(5 min ago\) — unreachable$/,
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByText(CLUSTER_PROBLEMS.unreachable.hint),
    ).toBeInTheDocument();
    expect(screen.getByText('read ECONNRESET')).toBeInTheDocument();
  });

  it('a cluster in its first sync is told to wait, not reported as broken', async () => {
    renderInTestApp(
      <ClusterHealth
        header={{
          cluster: 'lab',
          state: 'syncing',
          error: 'cluster not synced yet',
        }}
      />,
    );
    expect(await screen.findByText('syncing')).toBeInTheDocument();
    expect(
      screen.getByText('Wait a few seconds and refresh.'),
    ).toBeInTheDocument();
  });

  it('the badge names the error kind and explains it on hover', async () => {
    renderInTestApp(
      <ClusterHealth
        variant="badge"
        named
        header={{
          cluster: 'eu-2',
          state: 'error',
          error: 'HTTP 403',
          errorType: 'forbidden',
        }}
      />,
    );
    await userEvent.hover(await screen.findByText('forbidden (403)'));
    expect(
      await screen.findByText(
        new RegExp(CLUSTER_PROBLEMS.forbidden.hint.replace(/[()]/g, '.')),
      ),
    ).toBeInTheDocument();
    expect(screen.getByText('eu-2:')).toBeInTheDocument();
  });
});
