import { renderInTestApp } from '@backstage/frontend-test-utils';
import { fireEvent, screen, within } from '@testing-library/react';
import { platformCostFixture } from '../../__fixtures__/cost';
import { PlatformCostSection } from './PlatformCostSection';

describe('PlatformCostSection', () => {
  it('shows the cost by provider with used and idle apart, and by service', async () => {
    await renderInTestApp(<PlatformCostSection cost={platformCostFixture()} />);
    const hetzner = (await screen.findByText('hetzner')).closest('tr')!;
    expect(within(hetzner).getByText('€6.80')).toBeInTheDocument();
    expect(within(hetzner).getByText('€1.70')).toBeInTheDocument();
    expect(within(hetzner).getByText('€5.10')).toBeInTheDocument();
    const scaleway = screen.getByText('scaleway').closest('tr')!;
    expect(within(scaleway).getByText('unknown')).toBeInTheDocument();
    const web = screen.getByText('shop/web,with-comma').closest('tr')!;
    expect(within(web).getByText('hetzner €1.70')).toBeInTheDocument();
  });

  it('downloads the answer as CSV', async () => {
    const created: Blob[] = [];
    const createObjectURL = jest.fn((b: Blob) => {
      created.push(b);
      return 'blob:cost';
    });
    Object.assign(URL, { createObjectURL, revokeObjectURL: jest.fn() });
    const click = jest
      .spyOn(HTMLAnchorElement.prototype, 'click')
      .mockImplementation(() => {});
    await renderInTestApp(<PlatformCostSection cost={platformCostFixture()} />);
    fireEvent.click(
      await screen.findByRole('button', { name: 'Download CSV' }),
    );
    expect(click).toHaveBeenCalled();
    const text = await created[0].text();
    expect(text.split('\n')[0]).toBe(
      'cluster,scope,name,provider,monthly,used,idle,unknown,currency',
    );
    click.mockRestore();
  });
});
