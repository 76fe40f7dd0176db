import { renderInTestApp } from '@backstage/frontend-test-utils';
import { screen } from '@testing-library/react';
import { bigPlacement, piholePlacement } from '../../__fixtures__/placement';
import { ClusterPlacementCard } from './ClusterPlacementCard';

describe('ClusterPlacementCard', () => {
  it('shows shares, intent counts and warnings for the Pi-hole', async () => {
    renderInTestApp(
      <ClusterPlacementCard placement={piholePlacement().clusters[0]} />,
    );
    expect(
      await screen.findByRole('img', {
        name: 'pods per provider: Hetzner 1, Scaleway 1',
      }),
    ).toBeInTheDocument();
    expect(screen.getByText('1 match their intent')).toBeInTheDocument();
    expect(screen.getByText('1 miss a soft intent')).toBeInTheDocument();
    expect(screen.getByText('1 pending')).toBeInTheDocument();
    expect(
      screen.getByText('pihole-scaleway: all replicas in zone fr-par-1'),
    ).toBeInTheDocument();
  });

  it('reports a cluster that did not answer', async () => {
    renderInTestApp(
      <ClusterPlacementCard placement={piholePlacement().clusters[1]} />,
    );
    expect(
      await screen.findByText(
        /Cluster far-away: unreachable — no data from this cluster/,
      ),
    ).toBeInTheDocument();
    expect(screen.getByText('unreachable')).toBeInTheDocument();
    expect(
      screen.getByText('connect ECONNREFUSED 10.0.0.1:6443'),
    ).toBeInTheDocument();
  });

  it('renders 5,000 pods as one page of rows with the tree collapsed', async () => {
    renderInTestApp(<ClusterPlacementCard placement={bigPlacement(5000)} />);
    expect(await screen.findByText('5000 pods')).toBeInTheDocument();
    // What keeps the render cheap, asserted as behaviour rather than as a time on a shared core.
    expect(screen.getAllByText(/^web-\d+$/)).toHaveLength(20);
    expect(screen.getByText('web-0')).toBeInTheDocument();
    expect(screen.queryByText('web-4999')).not.toBeInTheDocument();
    expect(screen.queryByText('Region fsn1')).not.toBeInTheDocument();
  });
});
