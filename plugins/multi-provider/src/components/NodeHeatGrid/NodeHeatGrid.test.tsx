import { renderInTestApp } from '@backstage/frontend-test-utils';
import { screen } from '@testing-library/react';
import { labPlatform } from '../../__fixtures__/placement';
import { NodeHeatGrid, describeNode } from './NodeHeatGrid';

const hetzner = labPlatform().clusters[0].providers[0];
const fsn1Nodes = hetzner.regions[0].zones[0].nodes;
const ashNode = hetzner.regions[1].zones[0].nodes[0];

describe('NodeHeatGrid', () => {
  it('draws one cell per node with its figures as a title', async () => {
    renderInTestApp(<NodeHeatGrid nodes={fsn1Nodes} />);
    expect(
      await screen.findByRole('img', { name: '2 nodes' }),
    ).toBeInTheDocument();
    const busy = screen.getByTestId('node-hz-fsn1-1');
    expect(busy).toHaveAttribute('fill', '#fb9b06');
    expect(busy.textContent).toContain('CPU 95% (3.8 cores of 4 cores)');
    expect(screen.getByTestId('node-hz-fsn1-2').textContent).toContain(
      'not ready',
    );
  });

  it('outlines nodes outside the EU', async () => {
    renderInTestApp(<NodeHeatGrid nodes={[ashNode]} />);
    const cell = await screen.findByTestId('node-hz-ash-1');
    expect(cell).toHaveAttribute('stroke', '#d62728');
    expect(describeNode(ashNode)).toContain('outside the EU');
  });

  it('names taints and cordons', () => {
    const cordoned =
      labPlatform().clusters[0].providers[1].regions[0].zones[1].nodes[0];
    expect(describeNode(cordoned)).toMatch(
      /cordoned; taints dedicated=db:NoSchedule$/,
    );
  });

  it('wraps a thousand nodes into rows', async () => {
    const many = Array.from({ length: 1000 }, (_, i) => ({
      ...fsn1Nodes[0],
      name: `n-${i}`,
    }));
    renderInTestApp(<NodeHeatGrid nodes={many} columns={40} />);
    const svg = await screen.findByRole('img', { name: '1000 nodes' });
    expect(svg).toHaveAttribute('height', String(25 * 22));
  });
});
