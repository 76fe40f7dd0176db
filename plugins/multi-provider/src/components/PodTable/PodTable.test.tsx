import { renderInTestApp } from '@backstage/frontend-test-utils';
import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { bigPlacement, piholePlacement } from '../../__fixtures__/placement';
import { flattenPods } from '../../helpers/entityPlacement';
import { PodTable } from './PodTable';

describe('PodTable', () => {
  it('shows owner, phase, where each pod runs and its intent check', async () => {
    renderInTestApp(
      <PodTable rows={flattenPods(piholePlacement().clusters[0])} />,
    );
    expect(
      await screen.findByText('pihole-hetzner-7d9f-abcde'),
    ).toBeInTheDocument();
    expect(screen.getAllByText('Deployment/pihole')).toHaveLength(3);
    expect(screen.getAllByText('cfke.io/provider=hetzner')).toHaveLength(2);
    expect(screen.getByText('soft intent missed')).toBeInTheDocument();
    expect(
      screen.getByText('0/4 nodes are available: insufficient cpu'),
    ).toBeInTheDocument();
    expect(screen.getByText('pending')).toBeInTheDocument();
  });

  it('pages 5,000 pods and searches them', async () => {
    renderInTestApp(<PodTable rows={flattenPods(bigPlacement(5000))} />);
    expect(await screen.findByText('web-0')).toBeInTheDocument();
    expect(screen.queryByText('web-4999')).not.toBeInTheDocument();
    // header row + one page
    expect(screen.getAllByRole('row').length).toBeLessThanOrEqual(22);
    await userEvent.type(screen.getByPlaceholderText('Filter'), 'web-4999');
    expect(await screen.findByText('web-4999')).toBeInTheDocument();
  });
});
