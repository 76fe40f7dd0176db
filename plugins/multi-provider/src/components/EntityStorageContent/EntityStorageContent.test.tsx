import { EntityProvider } from '@backstage/plugin-catalog-react';
import {
  renderInTestApp,
  TestApiProvider,
} from '@backstage/frontend-test-utils';
import { screen } from '@testing-library/react';
import { multiProviderApiRef, type MultiProviderApi } from '../../api';
import { piholeStorage } from '../../__fixtures__/storage';
import { EntityStorageContent } from './EntityStorageContent';

const entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'pihole',
    namespace: 'default',
    annotations: { 'backstage.io/kubernetes-id': 'pihole' },
  },
  spec: {},
};

describe('EntityStorageContent', () => {
  it('shows each claim with provider, zone, pods and the findings', async () => {
    const getEntityStorage = jest.fn(async () => piholeStorage());
    const api = { getEntityStorage } as unknown as MultiProviderApi;
    renderInTestApp(
      <TestApiProvider apis={[[multiProviderApiRef, api]]}>
        <EntityProvider entity={entity}>
          <EntityStorageContent />
        </EntityProvider>
      </TestApiProvider>,
    );
    expect(
      await screen.findByText('pihole-hetzner/pihole-data'),
    ).toBeInTheDocument();
    expect(getEntityStorage).toHaveBeenCalledWith({
      kind: 'component',
      namespace: 'default',
      name: 'pihole',
    });
    expect(screen.getByText('Hetzner Cloud')).toBeInTheDocument();
    expect(screen.getByText('hel1')).toBeInTheDocument();
    expect(
      screen.getByText(
        'pihole-abc → hetzner-hel1-dc2-cx32-1 (hetzner, hel1-dc2)',
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByText('volume-node-affinity-conflict'),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/Fix: Give the claim a class of the provider/),
    ).toBeInTheDocument();
  });
});
