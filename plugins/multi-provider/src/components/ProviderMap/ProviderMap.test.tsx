import { renderInTestApp } from '@backstage/frontend-test-utils';
import { screen, within } from '@testing-library/react';
import { labPlatform } from '../../__fixtures__/placement';
import { ProviderMap } from './ProviderMap';

describe('ProviderMap', () => {
  it('shows each provider with regions, zones, utilisation and node cells', async () => {
    renderInTestApp(<ProviderMap cluster={labPlatform().clusters[0]} />);
    const hetzner = await screen.findByRole('region', {
      name: 'provider hetzner',
    });
    expect(
      screen.getByText('3 nodes · 12 pods · 2 regions'),
    ).toBeInTheDocument();
    expect(within(hetzner).getByText('Region ash')).toBeInTheDocument();
    expect(within(hetzner).getByText('outside the EU')).toBeInTheDocument();
    expect(within(hetzner).getAllByText('EU')).toHaveLength(1);
    const cpu = within(hetzner).getAllByRole('meter', {
      name: 'CPU requested',
    });
    // provider, then one per zone
    expect(cpu.map(m => m.getAttribute('aria-valuenow'))).toEqual([
      '52',
      '53',
      '50',
    ]);
    const scaleway = screen.getByRole('region', { name: 'provider scaleway' });
    expect(within(scaleway).getAllByRole('img')).toHaveLength(2);
  });

  it('says when a cluster reports no nodes', async () => {
    renderInTestApp(
      <ProviderMap
        cluster={{
          cluster: 'down',
          state: 'error',
          providers: [],
          nonEuNodes: [],
        }}
      />,
    );
    expect(
      await screen.findByText('No nodes reported for cluster down.'),
    ).toBeInTheDocument();
  });
});
