import { mockMultiProviderApi } from '../../__fixtures__/mockApi';
import { ResponseError } from '@backstage/errors';
import {
  renderInTestApp,
  TestApiProvider,
} from '@backstage/frontend-test-utils';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { hetznerOutage, labPlatform } from '../../__fixtures__/placement';
import { multiProviderApiRef, type MultiProviderApi } from '../../api';
import { failureDomainOptions } from '../../helpers/failureDomain';
import { FailureDomainPanel } from './FailureDomainPanel';

function mockApi(
  analyse: MultiProviderApi['analyseFailureDomain'],
): MultiProviderApi {
  return mockMultiProviderApi({ analyseFailureDomain: analyse });
}

const options = failureDomainOptions(labPlatform());

describe('FailureDomainPanel', () => {
  it('simulates the loss of the chosen provider and lists verdicts worst first', async () => {
    const api = mockApi(async () => hetznerOutage());
    renderInTestApp(
      <TestApiProvider apis={[[multiProviderApiRef, api]]}>
        <FailureDomainPanel options={options} />
      </TestApiProvider>,
    );
    const domain = await screen.findByLabelText('Domain');
    expect(domain).toHaveDisplayValue('Hetzner — 3 nodes');
    await userEvent.click(
      screen.getByRole('button', { name: 'Simulate loss' }),
    );

    expect(api.analyseFailureDomain).toHaveBeenCalledWith({
      level: 'provider',
      name: 'hetzner',
    });
    const lab = await screen.findByRole('region', {
      name: 'verdicts for cluster lab',
    });
    expect(within(lab).getByText('3 nodes lost')).toBeInTheDocument();
    expect(within(lab).getByText('1 down')).toBeInTheDocument();
    const rows = within(lab).getAllByRole('row').slice(1);
    expect(rows[0]).toHaveTextContent('down');
    expect(rows[0]).toHaveTextContent('postgres');
    expect(rows[0]).toHaveTextContent(
      'nodeSelector cfke.io/provider=hetzner: no surviving node',
    );
    expect(rows[2]).toHaveTextContent('survives');
    expect(rows[2]).toHaveTextContent('one instance per provider');
    expect(rows[1]).toHaveTextContent('3 → 2 (2 lost, 1 re-placed)');
  });

  it('offers zones when the level changes', async () => {
    const api = mockApi(async () => hetznerOutage());
    renderInTestApp(
      <TestApiProvider apis={[[multiProviderApiRef, api]]}>
        <FailureDomainPanel options={options} />
      </TestApiProvider>,
    );
    await userEvent.selectOptions(
      await screen.findByLabelText('Level'),
      'zone',
    );
    await userEvent.selectOptions(screen.getByLabelText('Domain'), 'fr-par-2');
    await userEvent.click(
      screen.getByRole('button', { name: 'Simulate loss' }),
    );
    expect(api.analyseFailureDomain).toHaveBeenCalledWith({
      level: 'zone',
      name: 'fr-par-2',
    });
  });

  it('shows the backend error', async () => {
    const response = new Response(
      JSON.stringify({
        error: { name: 'NotAllowedError', message: 'not allowed' },
        response: { statusCode: 403 },
      }),
      { status: 403, headers: { 'Content-Type': 'application/json' } },
    );
    const error = await ResponseError.fromResponse(response);
    const api = mockApi(async () => {
      throw error;
    });
    renderInTestApp(
      <TestApiProvider apis={[[multiProviderApiRef, api]]}>
        <FailureDomainPanel options={options} />
      </TestApiProvider>,
    );
    await userEvent.click(
      await screen.findByRole('button', { name: 'Simulate loss' }),
    );
    expect(await screen.findByText(/not allowed/)).toBeInTheDocument();
  });
});
