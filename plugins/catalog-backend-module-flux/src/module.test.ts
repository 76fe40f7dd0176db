import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import {
  EntityProvider,
  EntityProviderConnection,
} from '@backstage/plugin-catalog-node';
import { catalogProcessingExtensionPoint } from '@backstage/plugin-catalog-node';
import { createBackendPlugin } from '@backstage/backend-plugin-api';
import { copyFixtureRepo } from './__fixtures__/copyFixtureRepo';
import { catalogModuleFlux } from './module';
import path from 'node:path';

/** A stand-in catalog plugin: collects providers through the real extension point. */
const catalogStandIn = (providers: EntityProvider[] = []) =>
  createBackendPlugin({
    pluginId: 'catalog',
    register(env) {
      env.registerExtensionPoint(catalogProcessingExtensionPoint, {
        addProcessor: () => {},
        addEntityProvider: (...p: Array<EntityProvider | EntityProvider[]>) => {
          providers.push(...p.flat());
        },
        addPlaceholderResolver: () => {},
        setOnProcessingErrorHandler: () => {},
      } as any);
      env.registerInit({ deps: {}, async init() {} });
    },
  });

describe('catalogModuleFlux', () => {
  it('registers an entity provider that emits the entities of gitops/ on schedule', async () => {
    const providers: EntityProvider[] = [];
    const root = copyFixtureRepo();
    const catalog = catalogStandIn(providers);
    const scheduler = mockServices.scheduler.mock();
    await startTestBackend({
      features: [
        catalog,
        catalogModuleFlux,
        scheduler.factory,
        mockServices.rootConfig.factory({
          data: {
            cloudlab: {
              gitopsTree: {
                local: { path: root },
                fluxPath: 'gitops',
                catalogPath: 'catalog',
              },
              providers: { directory: path.join(root, 'providers') },
            },
            catalog: {
              providers: {
                cloudlabFlux: {
                  schedule: {
                    frequency: { minutes: 5 },
                    timeout: { seconds: 20 },
                  },
                },
              },
            },
          },
        }),
      ],
    });
    expect(providers.map(p => p.getProviderName())).toEqual(['cloudlab-flux']);
    const connection = {
      applyMutation: jest.fn(),
      refresh: jest.fn(),
    } satisfies EntityProviderConnection;
    await providers[0].connect(connection);
    expect(scheduler.scheduleTask).toHaveBeenCalledWith(
      expect.objectContaining({
        id: 'cloudlab-flux:refresh',
        frequency: { minutes: 5 },
        timeout: { seconds: 20 },
      }),
    );
    const task = scheduler.scheduleTask.mock.calls[0][0];
    await task.fn(new AbortController().signal);
    expect(connection.applyMutation).toHaveBeenCalledWith(
      expect.objectContaining({
        type: 'full',
        entities: expect.arrayContaining([
          expect.objectContaining({
            entity: expect.objectContaining({
              metadata: expect.objectContaining({ name: 'postgres' }),
            }),
          }),
        ]),
      }),
    );
  });

  it('stops the backend at start when no tree source is set, naming the key', async () => {
    const root = copyFixtureRepo();
    await expect(
      startTestBackend({
        features: [
          catalogStandIn(),
          catalogModuleFlux,
          mockServices.rootConfig.factory({
            data: {
              cloudlab: {
                gitopsTree: { fluxPath: 'gitops' },
                providers: { directory: path.join(root, 'providers') },
              },
            },
          }),
        ],
      }),
    ).rejects.toThrow(
      'cloudlab.gitopsTree: set exactly one of local, url, flux',
    );
  });
});
