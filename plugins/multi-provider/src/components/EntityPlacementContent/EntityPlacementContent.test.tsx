import { mockMultiProviderApi } from '../../__fixtures__/mockApi';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { screen } from '@testing-library/react';
import { piholeEntity, piholePlacement } from '../../__fixtures__/placement';
import { multiProviderApiRef, type MultiProviderApi } from '../../api';
import { expectPiholePlacement } from '../../__testUtils__/viewExpectations';
import { EntityPlacementContent } from './EntityPlacementContent';

const entity = piholeEntity();

function api(
  getEntityPlacement: MultiProviderApi['getEntityPlacement'],
): MultiProviderApi {
  return mockMultiProviderApi({ getEntityPlacement });
}

describe('EntityPlacementContent', () => {
  it('asks for the entity and shows every cluster, the failing one too', async () => {
    const mock = api(async () => piholePlacement());
    renderInTestApp(
      <EntityProvider entity={entity}>
        <EntityPlacementContent />
      </EntityProvider>,
      { apis: [[multiProviderApiRef, mock]] },
    );
    await expectPiholePlacement(mock);
  });

  it('shows the error of a failed request', async () => {
    renderInTestApp(
      <EntityProvider entity={entity}>
        <EntityPlacementContent />
      </EntityProvider>,
      {
        apis: [
          [
            multiProviderApiRef,
            api(async () => {
              throw new Error('backend is down');
            }),
          ],
        ],
      },
    );
    expect(await screen.findAllByText(/backend is down/)).not.toHaveLength(0);
  });
});
