import { renderInTestApp } from '@backstage/frontend-test-utils';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { bigPlacement, piholePlacement } from '../../__fixtures__/placement';
import { PlacementTree } from './PlacementTree';

describe('PlacementTree', () => {
  it('opens every level for a small service', async () => {
    renderInTestApp(
      <PlacementTree
        providers={piholePlacement().clusters[0].providers}
        expanded
      />,
    );
    const nodes = await screen.findByRole('list', {
      name: 'nodes in zone fsn1-dc14',
    });
    expect(within(nodes).getByText('hz-fsn1-1')).toBeInTheDocument();
    expect(within(nodes).getByText('1 pod')).toBeInTheDocument();
    const par = screen.getByRole('list', { name: 'nodes in zone fr-par-1' });
    expect(within(par).getByText('1 off intent')).toBeInTheDocument();
  });

  it('keeps a big service collapsed with counts, and pages nodes', async () => {
    renderInTestApp(
      <PlacementTree
        providers={bigPlacement(4800, 60).providers}
        expanded={false}
      />,
    );
    expect(await screen.findByText('Hetzner')).toBeInTheDocument();
    expect(screen.getAllByText('2400 pods')).toHaveLength(2);
    expect(screen.getAllByText('120 nodes')).toHaveLength(2);
    expect(screen.queryByText('Region fsn1')).not.toBeInTheDocument();

    await userEvent.click(screen.getByText('Hetzner'));
    await userEvent.click(await screen.findByText('Region fsn1'));
    await userEvent.click(await screen.findByText('Zone hetzner-zone-1'));
    const nodes = await screen.findByRole('list', {
      name: 'nodes in zone hetzner-zone-1',
    });
    expect(within(nodes).getAllByRole('listitem')).toHaveLength(25);
    await userEvent.click(
      screen.getByRole('button', { name: 'Show 25 more of 35 nodes' }),
    );
    expect(within(nodes).getAllByRole('listitem')).toHaveLength(50);
  });
});
