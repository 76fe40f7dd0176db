import { EntityProvider } from '@backstage/plugin-catalog-react';
import {
  renderInTestApp,
  TestApiProvider,
} from '@backstage/frontend-test-utils';
import { screen, within } from '@testing-library/react';
import { mockMultiProviderApi } from '../../__fixtures__/mockApi';
import { entityCostFixture } from '../../__fixtures__/cost';
import { piholeEntity, piholePlacement } from '../../__fixtures__/placement';
import { multiProviderApiRef } from '../../api';
import { EntityPlacementContent } from '../EntityPlacementContent';

async function renderTab(cost = entityCostFixture()) {
  const api = mockMultiProviderApi({
    getEntityPlacement: async () => piholePlacement(),
    getEntityCost: async () => cost,
  });
  await renderInTestApp(
    <TestApiProvider apis={[[multiProviderApiRef, api]]}>
      <EntityProvider entity={piholeEntity()}>
        <EntityPlacementContent />
      </EntityProvider>
    </TestApiProvider>,
  );
  return api;
}

describe('EntityCostCard in the Placement tab', () => {
  it('shows each workload with its cost, what it leaves out, and its alternatives', async () => {
    await renderTab();
    const table = (
      await screen.findByText(/Cluster lab: €1\.70 \+ 1 unknown a month/)
    ).closest('table, div[class*="Paper"]') as HTMLElement;
    expect(table).toBeTruthy();
    expect(screen.getByText('shop/StatefulSet/web')).toBeInTheDocument();
    const row = screen.getByText('shop/StatefulSet/web').closest('tr')!;
    expect(within(row).getByText('€1.70 + 1 unknown')).toBeInTheDocument();
    expect(within(row).getByText('€1.90 (cx22)')).toBeInTheDocument();
    expect(
      within(row).getByText('no server type fits the requests'),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/Monthly list prices from the provider registry/),
    ).toBeInTheDocument();
  });

  it('warns with the source page when a price table is stale', async () => {
    await renderTab(
      entityCostFixture([
        {
          provider: 'hetzner',
          readOn: '2026-01-01',
          ageDays: 300,
          message:
            'Hetzner Cloud prices were read on 2026-01-01 (300 days ago): check https://www.hetzner.com/cloud/',
        },
      ]),
    );
    expect(
      await screen.findByText(/Prices of hetzner may be out of date/),
    ).toBeInTheDocument();
  });

  it('shows the placement when the cost cannot be loaded', async () => {
    const api = mockMultiProviderApi({
      getEntityPlacement: async () => piholePlacement(),
      getEntityCost: async () => {
        throw new Error('no cost');
      },
    });
    await renderInTestApp(
      <TestApiProvider apis={[[multiProviderApiRef, api]]}>
        <EntityProvider entity={piholeEntity()}>
          <EntityPlacementContent />
        </EntityProvider>
      </TestApiProvider>,
    );
    expect(await screen.findAllByText(/hetzner/i)).not.toHaveLength(0);
    expect(screen.queryByText(/Monthly list prices/)).toBeNull();
  });
});
