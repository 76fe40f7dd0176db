import { discoveryApiRef, fetchApiRef } from '@backstage/frontend-plugin-api';
import { TestApiProvider } from '@backstage/frontend-test-utils';
import { render, screen } from '@testing-library/react';
import type { CostEstimateResponse } from '@cloudlab/plugin-multi-provider-common';
import { CostEstimate, estimateRequest } from './CostEstimate';

const answer: CostEstimateResponse = {
  currency: 'EUR',
  requests: { cpu: '50m', memory: '64Mi' },
  rule: 'The rule.',
  instances: [
    {
      provider: 'hetzner',
      pods: {
        provider: 'hetzner',
        fits: true,
        serverType: 'cx22',
        regions: ['fsn1'],
        monthly: 0.1,
      },
      volume: { billedGiB: 10, monthly: 0.44 },
      monthly: 0.54,
    },
    {
      provider: 'scaleway',
      pods: { provider: 'scaleway', fits: false, reason: 'no price table' },
      monthly: null,
    },
  ],
  monthly: null,
};

function renderEstimate(formData: Record<string, unknown>) {
  const bodies: unknown[] = [];
  const urls: string[] = [];
  const fetchApi = {
    fetch: async (input: RequestInfo | URL, init?: RequestInit) => {
      urls.push(String(input));
      bodies.push(JSON.parse(String(init?.body)));
      return new Response(JSON.stringify(answer), { status: 200 });
    },
  };
  const discoveryApi = {
    getBaseUrl: async (id: string) => `http://backend/api/${id}`,
  };
  render(
    <TestApiProvider
      apis={[
        [fetchApiRef, fetchApi],
        [discoveryApiRef, discoveryApi],
      ]}
    >
      <CostEstimate
        {...({
          onChange: jest.fn(),
          schema: { type: 'string', title: 'Monthly cost' },
          formContext: { formData },
          uiSchema: {},
          idSchema: { $id: 'root_costEstimate' },
        } as any)}
      />
    </TestApiProvider>,
  );
  return { bodies, urls };
}

describe('estimateRequest', () => {
  it('reads providers, replicas and the size under either name', () => {
    expect(
      estimateRequest({
        providers: ['hetzner', ''],
        replicas: 3,
        size: '20Gi',
      }),
    ).toEqual({ providers: ['hetzner'], replicas: 3, storageSize: '20Gi' });
    expect(
      estimateRequest({ providers: ['scaleway'], storageSize: '10Gi' }),
    ).toEqual({ providers: ['scaleway'], replicas: 1, storageSize: '10Gi' });
    expect(estimateRequest({ providers: [] })).toBeUndefined();
  });
});

describe('CostEstimate', () => {
  it('asks the cost route for what the form will create and shows each instance', async () => {
    const { bodies, urls } = renderEstimate({
      providers: ['hetzner', 'scaleway'],
      replicas: 2,
      storageSize: '5Gi',
    });
    expect(
      await screen.findByText(
        'hetzner: €0.54 a month (pods €0.10 on cx22, volume 10 GiB €0.44)',
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByText('scaleway: unknown a month (pods: no price table)'),
    ).toBeInTheDocument();
    expect(screen.getByText('unknown a month')).toBeInTheDocument();
    expect(urls).toEqual(['http://backend/api/multi-provider/cost/estimate']);
    expect(bodies).toEqual([
      { providers: ['hetzner', 'scaleway'], replicas: 2, storageSize: '5Gi' },
    ]);
  });

  it('asks nothing until a provider is chosen', async () => {
    const { urls } = renderEstimate({ providers: [] });
    expect(
      await screen.findByText('Choose providers to see the cost.'),
    ).toBeInTheDocument();
    expect(urls).toEqual([]);
  });
});
