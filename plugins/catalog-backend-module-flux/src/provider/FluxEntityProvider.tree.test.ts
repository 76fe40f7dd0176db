import { mockServices } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { EntityProviderConnection } from '@backstage/plugin-catalog-node';
import {
  changedPaths,
  GitopsTreeProvider,
  LocalTreeSource,
  readTreeManifest,
  TreeSnapshot,
} from '@cloudlab/plugin-multi-provider-node';
import fs from 'node:fs';
import path from 'node:path';
import { copyFixtureRepo, repoLayout } from '../__fixtures__/copyFixtureRepo';
import { fluxCatalogOptions } from '../config';
import { ANNOTATIONS } from '../entities/annotations';
import { FluxEntityProvider } from './FluxEntityProvider';

/** A tree provider whose revisions the test publishes: each one a fresh copy of the fixture. */
class FakeTreeProvider implements GitopsTreeProvider {
  readonly description = 'fake Flux source';
  private snapshot?: TreeSnapshot;
  private readonly listeners = new Set<(s: TreeSnapshot) => void>();

  /** Files each published revision's source read. */
  readonly reads = new Map<string, string[]>();

  /** Publishes a revision; with `listChanges`, saying which files differ from the last one. */
  async publish(
    revision: string,
    edit?: (root: string) => void,
    listChanges = false,
  ) {
    const root = copyFixtureRepo();
    edit?.(root);
    const source = new LocalTreeSource(root);
    const reads: string[] = [];
    this.reads.set(revision, reads);
    const readText = source.readText.bind(source);
    source.readText = rel => {
      reads.push(rel);
      return readText(rel);
    };
    const previous = this.snapshot;
    this.snapshot = {
      source,
      origin: {
        kind: 'flux',
        location: 'GitRepository/flux-system/flux-system',
        revision,
      },
      ...(listChanges && previous
        ? {
            changes: {
              since: previous.source,
              paths: changedPaths(
                await readTreeManifest(previous.source.localRoot!),
                await readTreeManifest(root),
              ),
            },
          }
        : {}),
    };
    for (const l of this.listeners) l(this.snapshot);
  }

  async current() {
    if (!this.snapshot) throw new Error('fake Flux source: no artifact yet');
    return this.snapshot;
  }

  subscribe(listener: (s: TreeSnapshot) => void) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

const annotations = (e: Entity) => e.metadata.annotations ?? {};

describe('FluxEntityProvider following a tree provider', () => {
  const logger = mockServices.logger.mock();
  let connection: jest.Mocked<EntityProviderConnection>;
  let tree: FakeTreeProvider;
  let provider: FluxEntityProvider;

  const mutations = () => connection.applyMutation.mock.calls.map(c => c[0]);
  async function settle(count: number) {
    for (let i = 0; i < 400 && mutations().length < count; i++)
      await new Promise(r => setTimeout(r, 5));
    // and whatever is still queued
    await provider.refresh();
  }

  beforeEach(async () => {
    connection = { applyMutation: jest.fn(), refresh: jest.fn() };
    tree = new FakeTreeProvider();
    await tree.publish('main@sha1:aaa');
    const layout = repoLayout(copyFixtureRepo());
    provider = new FluxEntityProvider(fluxCatalogOptions(layout), tree, logger);
    await provider.connect(connection);
  });

  afterEach(() => provider.disconnect());

  it('emits every entity at the first revision, naming the source and the revision', async () => {
    await settle(1);
    const [first] = mutations();
    expect(first.type).toBe('full');
    const entities = first.type === 'full' ? first.entities : [];
    expect(entities.length).toBeGreaterThan(3);
    for (const { entity } of entities) {
      expect(annotations(entity)).toMatchObject({
        [ANNOTATIONS.gitopsSource]: 'GitRepository/flux-system/flux-system',
        [ANNOTATIONS.gitopsRevision]: 'main@sha1:aaa',
      });
    }
  });

  it('on a new revision re-emits only the entities it changed, at that revision', async () => {
    await settle(1);
    // A revision changing nothing the catalog reads: nothing emitted.
    await tree.publish('main@sha1:bbb', root =>
      fs.writeFileSync(path.join(root, 'README.md'), 'unrelated\n'),
    );
    await settle(1);
    expect(mutations()).toHaveLength(1);

    await tree.publish('main@sha1:ccc', root => {
      const f = path.join(root, 'gitops/infra/db/helmrelease.yaml');
      fs.writeFileSync(
        f,
        fs.readFileSync(f, 'utf8').replace('name: postgres', 'name: pg'),
      );
    });
    await settle(2);
    const last = mutations().at(-1)!;
    expect(last.type).toBe('delta');
    if (last.type !== 'delta') return;
    expect(last.added.map(a => a.entity.metadata.name)).toEqual(['pg']);
    expect(annotations(last.added[0].entity)[ANNOTATIONS.gitopsRevision]).toBe(
      'main@sha1:ccc',
    );
    expect(last.removed.map(r => ('entityRef' in r ? r.entityRef : r))).toEqual(
      ['component:default/postgres'],
    );
  });

  it('emits the hand-written catalog read from the tree at its revision, but its Locations', async () => {
    await settle(1);
    const [first] = mutations();
    const website = (first.type === 'full' ? first.entities : []).find(
      ({ entity }) => entity.metadata.name === 'website',
    )?.entity;
    // Read from the tree, located in it: not a file of the portal's disk.
    expect(website && annotations(website)).toMatchObject({
      [ANNOTATIONS.gitopsSource]: 'GitRepository/flux-system/flux-system',
      [ANNOTATIONS.gitopsRevision]: 'main@sha1:aaa',
      'backstage.io/managed-by-location': expect.stringMatching(
        /^url:.*catalog\/web\.yaml$/,
      ),
    });
    expect(annotations(website!)[ANNOTATIONS.generatedBy]).toBeUndefined();

    await tree.publish('main@sha1:eee', root => {
      const f = path.join(root, 'catalog/web.yaml');
      fs.writeFileSync(
        f,
        fs.readFileSync(f, 'utf8').replace('type: website', 'type: service'),
      );
      fs.writeFileSync(
        path.join(root, 'catalog/all.yaml'),
        'apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: index\nspec:\n  targets: [./web.yaml]\n',
      );
    });
    await settle(2);
    const last = mutations().at(-1)!;
    expect(last.type).toBe('delta');
    if (last.type !== 'delta') return;
    // Only the edited entity, at the new revision; the index Location is not emitted.
    expect(
      last.added.map(a => [
        a.entity.kind,
        a.entity.metadata.name,
        a.entity.spec?.type,
        annotations(a.entity)[ANNOTATIONS.gitopsRevision],
      ]),
    ).toEqual([['Component', 'website', 'service', 'main@sha1:eee']]);
    expect(last.removed).toEqual([]);
  });

  it('reads only the files a new revision says changed, and emits the same delta', async () => {
    await settle(1);
    await tree.publish(
      'main@sha1:ddd',
      root => {
        const f = path.join(root, 'gitops/infra/db/helmrelease.yaml');
        fs.writeFileSync(
          f,
          fs.readFileSync(f, 'utf8').replace('name: postgres', 'name: pg'),
        );
      },
      true,
    );
    for (let i = 0; i < 400 && mutations().length < 2; i++)
      await new Promise(r => setTimeout(r, 5));
    // The refresh the revision caused looked at nothing else.
    expect(tree.reads.get('main@sha1:ddd')).toEqual([
      'gitops/infra/db/helmrelease.yaml',
    ]);
    const last = mutations().at(-1)!;
    expect(last.type).toBe('delta');
    if (last.type !== 'delta') return;
    expect(last.added.map(a => a.entity.metadata.name)).toEqual(['pg']);
    expect(last.removed.map(r => ('entityRef' in r ? r.entityRef : r))).toEqual(
      ['component:default/postgres'],
    );
  });

  it('logs a tree that cannot be read and emits nothing', async () => {
    const empty = new FakeTreeProvider();
    const p = new FluxEntityProvider(
      fluxCatalogOptions(repoLayout(copyFixtureRepo())),
      empty,
      logger,
    );
    const c = { applyMutation: jest.fn(), refresh: jest.fn() };
    await p.connect(c);
    await expect(p.refresh()).rejects.toThrow(/no artifact yet/);
    expect(c.applyMutation).not.toHaveBeenCalled();
    expect(logger.error).toHaveBeenCalledWith(
      expect.stringContaining('reading fake Flux source failed'),
    );
    p.disconnect();
  });
});
