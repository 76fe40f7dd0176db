import type { Entity } from '@backstage/catalog-model';
import { discoveryApiRef, fetchApiRef } from '@backstage/core-plugin-api';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { screen } from '@testing-library/react';
import type { ReactElement } from 'react';
import { Route, Routes } from 'react-router-dom';
import { piholeSecrets, platformGitOps } from './__fixtures__/gitops';
import { mockMultiProviderApi } from './__fixtures__/mockApi';
import {
  labPlatform,
  piholeEntity,
  piholePlacement,
} from './__fixtures__/placement';
import {
  labDesiredStorage,
  labStorage,
  piholeStorage,
} from './__fixtures__/storage';
import { gitOpsEntity, gitOpsTabApis } from './__testUtils__/renderGitOpsTab';
import {
  expectGitOpsTabForViewer,
  expectLabStoragePage,
  expectPiholePlacement,
  expectPiholeStorage,
  expectPlatformGitOpsPage,
} from './__testUtils__/viewExpectations';
import { MultiProviderClient, multiProviderApiRef } from './api';
import {
  EntityGitOpsContent,
  EntityPlacementContent,
  EntitySecretsCard,
  EntityStorageContent,
  GitOpsPage,
  ProvidersPage,
  StoragePage,
  isGitOpsAvailable,
  isPlacementAvailable,
  multiProviderPlugin,
} from './legacy';

/**
 * Renders an element the way a legacy app does: core-app-api with its router and the given APIs;
 * an entity tab inside the entity's context, a page on its route as `App.tsx` mounts it.
 */
function renderInLegacyApp(
  element: ReactElement,
  apis: readonly (readonly [unknown, unknown])[],
  at: { entity: Entity } | { path: string },
) {
  const content =
    'entity' in at ? (
      <EntityProvider entity={at.entity}>{element}</EntityProvider>
    ) : (
      <Routes>
        <Route path={at.path} element={element} />
      </Routes>
    );
  return renderInTestApp(
    <TestApiProvider apis={apis as any}>{content}</TestApiProvider>,
    { routeEntries: ['path' in at ? at.path : '/'] },
  );
}

describe('legacy multiProviderPlugin', () => {
  it('registers the multi-provider client, built from the discovery and fetch APIs', async () => {
    expect(multiProviderPlugin.getId()).toBe('multi-provider');
    const factories = [...multiProviderPlugin.getApis()];
    expect(factories.map(f => f.api.id)).toEqual([multiProviderApiRef.id]);
    const [factory] = factories;
    expect(
      Object.values(factory.deps)
        .map(d => d.id)
        .sort(),
    ).toEqual([discoveryApiRef.id, fetchApiRef.id].sort());

    const fetched: string[] = [];
    const client = factory.factory({
      discoveryApi: {
        getBaseUrl: async (id: string) => `http://backend.test/api/${id}`,
      },
      fetchApi: {
        fetch: async (input: RequestInfo | URL) => {
          fetched.push(String(input));
          return new Response(JSON.stringify({ clusters: [] }), {
            status: 200,
            headers: { 'content-type': 'application/json' },
          });
        },
      },
    });
    expect(client).toBeInstanceOf(MultiProviderClient);
    await (client as MultiProviderClient).getClusters();
    expect(fetched).toEqual([
      'http://backend.test/api/multi-provider/clusters',
    ]);
  });

  it('exposes the predicates the entity page switches on', () => {
    expect(isPlacementAvailable(piholeEntity())).toBe(true);
    expect(isGitOpsAvailable(piholeEntity())).toBe(false);
    expect(isGitOpsAvailable(gitOpsEntity)).toBe(true);
  });
});

describe('legacy entity extensions', () => {
  it('EntityPlacementContent shows where the entity runs', async () => {
    const api = mockMultiProviderApi({
      getEntityPlacement: async () => piholePlacement(),
    });
    await renderInLegacyApp(
      <EntityPlacementContent />,
      [[multiProviderApiRef, api]],
      { entity: piholeEntity() },
    );
    await expectPiholePlacement(api);
  });

  it('EntityStorageContent shows the claims and their findings', async () => {
    const api = mockMultiProviderApi({
      getEntityStorage: async () => piholeStorage(),
    });
    await renderInLegacyApp(
      <EntityStorageContent />,
      [[multiProviderApiRef, api]],
      { entity: piholeEntity() },
    );
    await expectPiholeStorage(api);
  });

  it('EntityGitOpsContent shows the roll-up, chain and secrets, and no action to a viewer', async () => {
    const { apis } = gitOpsTabApis('DENY');
    await renderInLegacyApp(<EntityGitOpsContent />, apis, {
      entity: gitOpsEntity,
    });
    await expectGitOpsTabForViewer();
  });

  it('EntitySecretsCard shows the sync state, never a value', async () => {
    const api = mockMultiProviderApi({
      getEntitySecrets: async () => piholeSecrets(),
    });
    await renderInLegacyApp(
      <EntitySecretsCard />,
      [[multiProviderApiRef, api]],
      { entity: gitOpsEntity },
    );
    expect(
      await screen.findByText('pihole-hetzner/pihole-admin'),
    ).toBeInTheDocument();
    expect(screen.getByText('yes (VSO reports it synced)')).toBeInTheDocument();
    expect(api.getEntitySecrets).toHaveBeenCalledWith({
      kind: 'component',
      namespace: 'default',
      name: 'pihole-hetzner',
    });
  });
});

describe('legacy pages', () => {
  it('ProvidersPage draws every cluster from the backend', async () => {
    const api = mockMultiProviderApi({
      getPlatformPlacement: async () => labPlatform(),
      getClusters: async () => ({
        clusters: [{ name: 'lab', state: 'synced', nodes: 5, pods: 17 }],
      }),
    });
    await renderInLegacyApp(<ProvidersPage />, [[multiProviderApiRef, api]], {
      path: '/multi-provider',
    });
    expect(
      await screen.findByRole('region', { name: 'cluster lab' }),
    ).toBeInTheDocument();
    expect(
      screen.getByText('1 of 5 nodes run outside the EU'),
    ).toBeInTheDocument();
  });

  it('StoragePage draws the zone map, classes, findings and the desired state', async () => {
    const api = mockMultiProviderApi({
      getPlatformStorage: async () => labStorage(),
      getDesiredStorage: async () => labDesiredStorage(),
    });
    await renderInLegacyApp(<StoragePage />, [[multiProviderApiRef, api]], {
      path: '/multi-provider/storage',
    });
    await expectLabStoragePage();
  });

  it('GitOpsPage lists every Flux object and filters by verdict', async () => {
    const api = mockMultiProviderApi({
      getPlatformGitOps: async () => platformGitOps(),
    });
    await renderInLegacyApp(<GitOpsPage />, [[multiProviderApiRef, api]], {
      path: '/multi-provider/gitops',
    });
    await expectPlatformGitOpsPage(api);
  });
});
