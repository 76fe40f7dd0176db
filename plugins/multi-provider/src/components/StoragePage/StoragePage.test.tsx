import {
  renderInTestApp,
  TestApiProvider,
} from '@backstage/frontend-test-utils';
import { screen } from '@testing-library/react';
import { multiProviderApiRef, type MultiProviderApi } from '../../api';
import { labStorage } from '../../__fixtures__/storage';
import { StoragePage } from './StoragePage';

describe('StoragePage', () => {
  it('draws the zone map, classes, drivers, findings and the desired state', async () => {
    const api = {
      getPlatformStorage: jest.fn(async () => labStorage()),
      getDesiredStorage: jest.fn(async () => ({
        cluster: 'lab',
        clusters: ['cloudlab', 'lab'],
        renderedAt: '2026-01-01T00:00:00Z',
        findings: [],
        kustomizations: [
          {
            name: 'apps-pihole-hetzner',
            namespace: 'flux-system',
            path: 'gitops/apps/pihole/hetzner',
            file: 'gitops/clusters/lab/apps.yaml',
            storageClasses: [],
            findings: [],
            claims: [
              {
                namespace: 'pihole-hetzner',
                name: 'pihole-data',
                storageClassName: 'hcloud-volumes',
                provider: 'hetzner',
                requested: '10Gi',
                accessModes: ['ReadWriteOnce'],
                workloads: [
                  {
                    kind: 'Deployment',
                    name: 'pihole',
                    pinnedProvider: 'hetzner',
                  },
                ],
              },
            ],
          },
        ],
      })),
    } as unknown as MultiProviderApi;
    renderInTestApp(
      <TestApiProvider apis={[[multiProviderApiRef, api]]}>
        <StoragePage />
      </TestApiProvider>,
    );
    expect(
      await screen.findByRole('img', {
        name: 'Hetzner Cloud hel1: 1 claims, 1 of 4 volumes bound',
      }),
    ).toBeInTheDocument();
    expect(screen.getByText('default')).toBeInTheDocument();
    expect(screen.getByText('1 node(s): h1')).toBeInTheDocument();
    expect(
      screen.getByText(/hcloud-volumes is the default/),
    ).toBeInTheDocument();
    expect(
      await screen.findByText('Deployment pihole (hetzner)'),
    ).toBeInTheDocument();
    expect(
      screen.getByText('No storage findings in the desired state'),
    ).toBeInTheDocument();
  });
});
