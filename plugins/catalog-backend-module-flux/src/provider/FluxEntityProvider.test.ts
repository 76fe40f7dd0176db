import { mockServices } from '@backstage/backend-test-utils';
import { EntityProviderConnection } from '@backstage/plugin-catalog-node';
import { LocalTreeProvider } from '@cloudlab/plugin-multi-provider-node';
import fs from 'node:fs';
import path from 'node:path';
import { copyFixtureRepo, repoLayout } from '../__fixtures__/copyFixtureRepo';
import { fluxCatalogOptions } from '../config';
import { FluxEntityProvider } from './FluxEntityProvider';

describe('FluxEntityProvider', () => {
  let root: string;
  let provider: FluxEntityProvider;
  const connection = {
    applyMutation: jest.fn(),
    refresh: jest.fn(),
  } satisfies EntityProviderConnection;
  const logger = mockServices.logger.mock();
  const write = (rel: string, text: string) =>
    fs.writeFileSync(path.join(root, rel), text);

  beforeEach(async () => {
    jest.resetAllMocks();
    root = copyFixtureRepo();
    // A local folder is read on the schedule (here: only when the test asks).
    provider = new FluxEntityProvider(
      fluxCatalogOptions(repoLayout(root)),
      new LocalTreeProvider(root),
      logger,
      {
        scheduler: mockServices.scheduler.mock(),
        definition: { frequency: { minutes: 1 }, timeout: { minutes: 1 } },
      },
    );
    await provider.connect(connection);
  });

  it('applies a full mutation first, then nothing while no file changes', async () => {
    const first = await provider.refresh();
    expect(first.mutation).toBe('full');
    expect(connection.applyMutation).toHaveBeenCalledWith({
      type: 'full',
      entities: expect.arrayContaining([
        {
          entity: expect.objectContaining({
            kind: 'Component',
            metadata: expect.objectContaining({ name: 'postgres' }),
          }),
          locationKey: 'cloudlab-flux',
        },
      ]),
    });
    expect((await provider.refresh()).mutation).toBe('none');
    expect(connection.applyMutation).toHaveBeenCalledTimes(1);
  });

  it('applies only the delta after a change', async () => {
    await provider.refresh();
    // Rename the HelmRelease: one entity removed, one added, postgres' dependents unchanged here.
    write(
      'gitops/infra/db/helmrelease.yaml',
      fs
        .readFileSync(
          path.join(root, 'gitops/infra/db/helmrelease.yaml'),
          'utf8',
        )
        .replace('name: postgres', 'name: pg'),
    );
    const result = await provider.refresh();
    expect(result).toMatchObject({
      mutation: 'delta',
      added: ['component:default/pg'],
      removed: ['component:default/postgres'],
    });
    expect(connection.applyMutation).toHaveBeenLastCalledWith({
      type: 'delta',
      added: [
        expect.objectContaining({
          entity: expect.objectContaining({
            metadata: expect.objectContaining({ name: 'pg' }),
          }),
        }),
      ],
      removed: [
        {
          entityRef: 'component:default/postgres',
          locationKey: 'cloudlab-flux',
        },
      ],
    });
  });

  it('re-emits a changed entity and picks up a new provider file', async () => {
    await provider.refresh();
    write(
      'providers/acme.yaml',
      fs
        .readFileSync(path.join(root, 'providers/acme.yaml'), 'utf8')
        .replace('Acme Cloud', 'Acme'),
    );
    write(
      'providers/beta.yaml',
      fs
        .readFileSync(path.join(root, 'providers/acme.yaml'), 'utf8')
        .replace(/acme/g, 'beta'),
    );
    const result = await provider.refresh();
    expect(result.mutation).toBe('delta');
    // The cluster depends on every provider, so it changes too.
    expect(result.added.sort()).toEqual([
      'resource:default/acme',
      'resource:default/beta',
      'resource:default/prod',
    ]);
    expect(result.removed).toEqual([]);
  });

  it('logs a malformed file and keeps its last valid entities and those of other files', async () => {
    await provider.refresh();
    write('gitops/infra/db/helmrelease.yaml', 'kind: [\n');
    write(
      'gitops/apps/web/deployment.yaml',
      fs
        .readFileSync(
          path.join(root, 'gitops/apps/web/deployment.yaml'),
          'utf8',
        )
        .replace('name: web\n', 'name: web\n  labels: { a: b }\n'),
    );
    const result = await provider.refresh();
    expect(result.removed).toEqual([]);
    expect(result.errors).toEqual([
      {
        file: 'gitops/infra/db/helmrelease.yaml',
        reason: expect.stringMatching(
          /invalid YAML.*keeping its last valid version/,
        ),
      },
    ]);
    expect(logger.error).toHaveBeenCalledWith(
      expect.stringContaining('gitops/infra/db/helmrelease.yaml: invalid YAML'),
      expect.objectContaining({ file: 'gitops/infra/db/helmrelease.yaml' }),
    );
  });

  it('refuses to refresh before the catalog connects', async () => {
    const unconnected = new FluxEntityProvider(
      fluxCatalogOptions(repoLayout(root)),
      new LocalTreeProvider(root),
      logger,
    );
    await expect(unconnected.refresh()).rejects.toThrow(/before connect/);
  });
});
