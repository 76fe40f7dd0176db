import { renderInTestApp } from '@backstage/frontend-test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { screen } from '@testing-library/react';
import { mockMultiProviderApi } from '../../__fixtures__/mockApi';
import { piholeEntity, piholePlacement } from '../../__fixtures__/placement';
import { multiProviderApiRef } from '../../api';
import { EntityPlacementContent } from '../EntityPlacementContent';
import { EntityObservabilityLinks } from './EntityObservabilityLinks';

const links = {
  grafana: {
    baseUrl: 'https://grafana.example.com',
    dashboardUid: 'cloudlab-placement',
  },
  loki: { datasourceUid: 'loki' },
};

const entity = piholeEntity({
  'backstage.io/kubernetes-namespace': 'pihole-hetzner',
});

function renderLinks(config: object, e = entity) {
  return renderInTestApp(
    <EntityProvider entity={e}>
      <EntityObservabilityLinks />
    </EntityProvider>,
    { config: config as any },
  );
}

describe('EntityObservabilityLinks', () => {
  it('links the dashboard and the logs of the entity’s pods when configured', async () => {
    await renderLinks({ cloudlab: { links } });
    const dashboard = await screen.findByRole('link', {
      name: /grafana dashboard/i,
    });
    expect(dashboard.getAttribute('href')).toBe(
      'https://grafana.example.com/d/cloudlab-placement?var-namespace=pihole-hetzner',
    );
    const logs = screen.getByRole('link', { name: /logs in loki/i });
    const panes = JSON.parse(
      new URL(logs.getAttribute('href')!).searchParams.get('panes')!,
    );
    expect(Object.values<any>(panes)[0].queries[0].expr).toBe(
      '{namespace="pihole-hetzner", backstage_io_kubernetes_id="pihole"}',
    );
  });

  it('shows no link when cloudlab.links is not configured', async () => {
    await renderLinks({});
    expect(
      screen.queryByRole('navigation', { name: /observability links/i }),
    ).not.toBeInTheDocument();
    expect(screen.queryByRole('link')).not.toBeInTheDocument();
  });

  it('shows only the dashboard when Loki is not configured', async () => {
    await renderLinks({ cloudlab: { links: { grafana: links.grafana } } });
    expect(
      await screen.findByRole('link', { name: /grafana dashboard/i }),
    ).toBeInTheDocument();
    expect(
      screen.queryByRole('link', { name: /logs in loki/i }),
    ).not.toBeInTheDocument();
  });

  it('appears on the entity’s Placement tab', async () => {
    await renderInTestApp(
      <EntityProvider entity={entity}>
        <EntityPlacementContent />
      </EntityProvider>,
      {
        apis: [
          [
            multiProviderApiRef,
            mockMultiProviderApi({
              getEntityPlacement: async () => piholePlacement(),
            }),
          ],
        ],
        config: { cloudlab: { links } },
      },
    );
    expect(
      await screen.findByRole('link', { name: /logs in loki/i }),
    ).toBeInTheDocument();
  });
});
