import { renderInTestApp } from '@backstage/frontend-test-utils';
import { screen } from '@testing-library/react';
import { UtilisationBar } from './UtilisationBar';

describe('UtilisationBar', () => {
  it('exposes the ratio as a meter', async () => {
    renderInTestApp(
      <UtilisationBar label="CPU" value={0.456} detail="1.8 of 4 cores" />,
    );
    const meter = await screen.findByRole('meter', { name: 'CPU requested' });
    expect(meter).toHaveAttribute('aria-valuenow', '46');
    expect(meter).toHaveAttribute('aria-valuetext', '46% (1.8 of 4 cores)');
    expect(screen.getByText('46%')).toBeInTheDocument();
  });

  it('keeps over-commitment readable', async () => {
    renderInTestApp(<UtilisationBar label="Memory" value={1.2} detail="x" />);
    expect(await screen.findByText('120%')).toBeInTheDocument();
  });
});
