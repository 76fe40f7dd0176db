import { EntityProvider } from '@backstage/plugin-catalog-react';
import {
  renderInTestApp,
  TestApiProvider,
} from '@backstage/frontend-test-utils';
import { mockMultiProviderApi } from '../../__fixtures__/mockApi';
import { expectPiholeStorage } from '../../__testUtils__/viewExpectations';
import { multiProviderApiRef } from '../../api';
import { piholeEntity } from '../../__fixtures__/placement';
import { piholeStorage } from '../../__fixtures__/storage';
import { EntityStorageContent } from './EntityStorageContent';
import { entityCostFixture } from '../../__fixtures__/cost';
import { screen, within } from '@testing-library/react';

const entity = piholeEntity();

describe('EntityStorageContent', () => {
  it('shows each claim with provider, zone, pods and the findings', async () => {
    const api = mockMultiProviderApi({
      getEntityStorage: async () => piholeStorage(),
    });
    renderInTestApp(
      <TestApiProvider apis={[[multiProviderApiRef, api]]}>
        <EntityProvider entity={entity}>
          <EntityStorageContent />
        </EntityProvider>
      </TestApiProvider>,
    );
    await expectPiholeStorage(api);
  });

  it('adds the monthly cost of each claim, and why when it has none', async () => {
    const cost = entityCostFixture();
    cost.clusters[0].claims = [
      {
        namespace: 'pihole-hetzner',
        name: 'pihole-data',
        storageClassName: 'hcloud-volumes',
        provider: 'hetzner',
        billedGiB: 10,
        monthly: 0.44,
      },
      {
        namespace: 'shop',
        name: 'wrong',
        storageClassName: 'scw-bssd',
        provider: null,
        billedGiB: null,
        monthly: null,
        unknownReason: 'no provider of the registry provisions its class',
      },
    ];
    const api = mockMultiProviderApi({
      getEntityStorage: async () => piholeStorage(),
      getEntityCost: async () => cost,
    });
    renderInTestApp(
      <TestApiProvider apis={[[multiProviderApiRef, api]]}>
        <EntityProvider entity={entity}>
          <EntityStorageContent />
        </EntityProvider>
      </TestApiProvider>,
    );
    expect(await screen.findByText('Monthly cost')).toBeInTheDocument();
    const data = screen.getByText('pihole-hetzner/pihole-data').closest('tr')!;
    expect(within(data).getByText('€0.44')).toBeInTheDocument();
    expect(within(data).getByText('10 GiB billed')).toBeInTheDocument();
    const wrong = screen.getByText('shop/wrong').closest('tr')!;
    expect(
      within(wrong).getByText(
        'unknown: no provider of the registry provisions its class',
      ),
    ).toBeInTheDocument();
  });
});
