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
});
