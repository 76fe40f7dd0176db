import {
  renderInTestApp,
  TestApiProvider,
} from '@backstage/frontend-test-utils';
import { mockMultiProviderApi } from '../../__fixtures__/mockApi';
import { labDesiredStorage, labStorage } from '../../__fixtures__/storage';
import { expectLabStoragePage } from '../../__testUtils__/viewExpectations';
import { multiProviderApiRef } from '../../api';
import { StoragePage } from './StoragePage';

describe('StoragePage', () => {
  it('draws the zone map, classes, drivers, findings and the desired state', async () => {
    const api = mockMultiProviderApi({
      getPlatformStorage: async () => labStorage(),
      getDesiredStorage: async () => labDesiredStorage(),
    });
    renderInTestApp(
      <TestApiProvider apis={[[multiProviderApiRef, api]]}>
        <StoragePage />
      </TestApiProvider>,
    );
    await expectLabStoragePage();
  });
});
