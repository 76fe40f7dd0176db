import { renderInTestApp } from '@backstage/frontend-test-utils';
import { screen } from '@testing-library/react';
import { labPlatform } from '../../__fixtures__/placement';
import { DataLocalityCard } from './DataLocalityCard';

describe('DataLocalityCard', () => {
  it('flags the nodes outside the EU', async () => {
    renderInTestApp(<DataLocalityCard cluster={labPlatform().clusters[0]} />);
    expect(
      await screen.findByText('1 of 5 nodes run outside the EU'),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('list', { name: 'nodes outside the EU' }),
    ).toHaveTextContent('hz-ash-1');
  });

  it('reads OK when every node is in the EU', async () => {
    const cluster = labPlatform().clusters[0];
    cluster.nonEuNodes = [];
    cluster.providers[0].regions.pop();
    renderInTestApp(<DataLocalityCard cluster={cluster} />);
    expect(
      await screen.findByText('All 4 nodes run in EU regions'),
    ).toBeInTheDocument();
  });
});
