import {
  renderInTestApp,
  TestApiProvider,
} from '@backstage/frontend-test-utils';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type {
  AdviceChange,
  FailureDomainAdviceResponse,
} from '@cloudlab/plugin-multi-provider-common';
import { mockMultiProviderApi } from '../../__fixtures__/mockApi';
import { hetznerOutage, labPlatform } from '../../__fixtures__/placement';
import { multiProviderApiRef } from '../../api';
import { failureDomainOptions } from '../../helpers/failureDomain';
import { FailureDomainPanel } from '../FailureDomainPanel';

const extra: AdviceChange = {
  kind: 'extra-replica',
  summary:
    'Add shop-scaleway: 3 replica(s) of Deployment/shop pinned to scaleway (the model places them on scw-par1-1)',
  namespace: 'web',
  workload: { kind: 'Deployment', name: 'shop' },
  homeProvider: 'hetzner',
  provider: 'scaleway',
  node: 'scw-par1-1',
  monthlyDelta: 12.5,
  verdict: 'survives',
  replicasBefore: 6,
  replicasAfter: 6,
  reasons: ['3 of 6 replica(s) run in provider hetzner'],
  template: {
    name: 'provider-workload',
    formData: { name: 'shop', providers: ['hetzner', 'scaleway'], replicas: 3 },
  },
};

function advice(
  changes: AdviceChange[],
  survives: boolean,
): FailureDomainAdviceResponse {
  return {
    domain: { level: 'provider', name: 'hetzner' },
    clusters: [
      {
        cluster: 'lab',
        state: 'synced',
        currency: 'EUR',
        rule: 'the pod share rule',
        services: [
          {
            id: 'web/shop',
            namespace: 'web',
            name: 'shop',
            verdict: 'degraded',
            advice: changes[0] ?? null,
            survives,
            candidates: changes,
            ...(survives ? {} : { note: 'no change weighed makes it survive' }),
          },
        ],
      },
    ],
  };
}

async function openAdvice(response: FailureDomainAdviceResponse) {
  const api = mockMultiProviderApi({
    analyseFailureDomain: jest.fn(async () => hetznerOutage()),
    adviseFailureDomain: jest.fn(async () => response),
  });
  renderInTestApp(
    <TestApiProvider apis={[[multiProviderApiRef, api]]}>
      <FailureDomainPanel options={failureDomainOptions(labPlatform())} />
    </TestApiProvider>,
  );
  await userEvent.click(
    await screen.findByRole('button', { name: 'Simulate loss' }),
  );
  await userEvent.click(
    await screen.findByRole('button', { name: 'Advise on web/shop' }),
  );
  return { api, panel: await screen.findByLabelText('advice for web/shop') };
}

describe('FailureDomainAdvice in the failure-domain panel', () => {
  it('asks for the one service and shows the change, its cost and its verdict, with Apply', async () => {
    const { api, panel } = await openAdvice(advice([extra], true));
    expect(api.adviseFailureDomain).toHaveBeenCalledWith({
      level: 'provider',
      name: 'hetzner',
      cluster: 'lab',
      services: ['web/shop'],
    });
    expect(
      await within(panel).findByText('Cheapest change that makes it survive'),
    ).toBeInTheDocument();
    expect(panel).toHaveTextContent('6 → 6 replicas · +€12.50 a month');
    expect(panel).toHaveTextContent('survives');
    const apply = within(panel).getByRole('link', {
      name: 'Apply with template provider-workload',
    });
    const url = new URL(apply.getAttribute('href')!, 'http://portal');
    expect(url.pathname).toBe('/create/templates/default/provider-workload');
    expect(JSON.parse(url.searchParams.get('formData')!)).toEqual(
      extra.template!.formData,
    );
  });

  it('says so when no change makes it survive, and offers no Apply for a change no template writes', async () => {
    const spread: AdviceChange = {
      ...extra,
      kind: 'spread',
      summary: 'Lift the pin',
      verdict: 'degraded',
      monthlyDelta: null,
      unknownReason: 'no provider has a price table',
      template: undefined,
    };
    const { panel } = await openAdvice(advice([spread], false));
    expect(
      await within(panel).findByText(
        'No change weighed makes it survive; the best found',
      ),
    ).toBeInTheDocument();
    expect(panel).toHaveTextContent('unknown (no provider has a price table)');
    expect(within(panel).queryByRole('link', { name: /Apply/ })).toBeNull();
    expect(panel).toHaveTextContent('No template writes this change');
    expect(panel).toHaveTextContent('no change weighed makes it survive');
  });
});
