import {
  mockApis,
  registerMswTestHooks,
  renderInTestApp,
} from '@backstage/frontend-test-utils';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { hetznerOutage, labPlatform } from '../../__fixtures__/placement';
import { multiProviderApiRef, MultiProviderClient } from '../../api';
import { ProvidersPage } from './ProvidersPage';

const BASE = 'http://backend.test/api/multi-provider';

const client = new MultiProviderClient({
  discoveryApi: mockApis.discovery({ baseUrl: 'http://backend.test' }),
  fetchApi: { fetch: (input, init) => fetch(input, init) },
});

describe('ProvidersPage', () => {
  const server = setupServer();
  registerMswTestHooks(server);

  const clustersOk = http.get(`${BASE}/clusters`, () =>
    HttpResponse.json({
      clusters: [{ name: 'lab', state: 'synced', nodes: 5, pods: 17 }],
    }),
  );

  it('renders the map, data locality and the what-if panel from the backend', async () => {
    let posted: unknown;
    server.use(
      clustersOk,
      http.get(`${BASE}/platform/placement`, () =>
        HttpResponse.json(labPlatform()),
      ),
      http.post(`${BASE}/platform/failure-domain`, async ({ request }) => {
        posted = await request.json();
        return HttpResponse.json(hetznerOutage());
      }),
    );
    renderInTestApp(<ProvidersPage />, {
      apis: [[multiProviderApiRef, client]],
    });

    const lab = await screen.findByRole('region', { name: 'cluster lab' });
    expect(within(lab).getByText('Hetzner')).toBeInTheDocument();
    expect(within(lab).getByText('Scaleway')).toBeInTheDocument();
    expect(
      within(lab).getByText('1 of 5 nodes run outside the EU'),
    ).toBeInTheDocument();
    expect(screen.getByRole('cell', { name: '17' })).toBeInTheDocument();

    await userEvent.click(
      screen.getByRole('button', { name: 'Simulate loss' }),
    );
    expect(
      await screen.findByText('Losing provider hetzner'),
    ).toBeInTheDocument();
    expect(posted).toEqual({ level: 'provider', name: 'hetzner' });
  });

  it('keeps a failing cluster visible beside a healthy one', async () => {
    const platform = labPlatform();
    platform.clusters.push({
      cluster: 'far-away',
      state: 'error',
      error: 'connect ECONNREFUSED 10.0.0.1:6443',
      errorType: 'unreachable',
      providers: [],
      nonEuNodes: [],
    });
    server.use(
      clustersOk,
      http.get(`${BASE}/platform/placement`, () => HttpResponse.json(platform)),
    );
    renderInTestApp(<ProvidersPage />, {
      apis: [[multiProviderApiRef, client]],
    });
    const far = await screen.findByRole('region', { name: 'cluster far-away' });
    expect(
      within(far).getByText(
        /Cluster far-away: unreachable — no data from this cluster/,
      ),
    ).toBeInTheDocument();
    expect(within(far).queryByText('EU data locality')).not.toBeInTheDocument();
    expect(
      screen.getByRole('region', { name: 'cluster lab' }),
    ).toBeInTheDocument();
  });

  it('shows the error when the backend refuses, with no made-up data', async () => {
    server.use(
      http.get(`${BASE}/clusters`, () =>
        HttpResponse.json(
          { error: { name: 'NotAllowedError', message: 'denied' } },
          { status: 403 },
        ),
      ),
      http.get(`${BASE}/platform/placement`, () =>
        HttpResponse.json(
          { error: { name: 'NotAllowedError', message: 'denied' } },
          { status: 403 },
        ),
      ),
    );
    renderInTestApp(<ProvidersPage />, {
      apis: [[multiProviderApiRef, client]],
    });
    expect(await screen.findAllByText(/denied/)).not.toHaveLength(0);
    expect(screen.queryByText('Hetzner')).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Simulate loss' })).toBeNull();
  });
});
