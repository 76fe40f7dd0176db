import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import fs from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { repoLayout } from '../__fixtures__/copyFixtureRepo';
import { fluxCatalogOptions } from '../config';
import { LocalTreeSource } from '@cloudlab/plugin-multi-provider-node';
import { readSnapshot, snapshotCaches } from '../provider/readSnapshot';
import { checkCatalog } from './checkCatalog';

/** The catalog check over the real repository: part of `yarn test`. */
describe('the real repository', () => {
  // Tests run from source, where __dirname is this directory.
  // eslint-disable-next-line no-restricted-syntax
  const root = path.resolve(__dirname, '../../../..');
  let snapshot: Awaited<ReturnType<typeof readSnapshot>>;
  beforeAll(async () => {
    const options = fluxCatalogOptions(repoLayout(root));
    snapshot = await readSnapshot(
      snapshotCaches(options, new LocalTreeSource(root)),
      options,
    );
  });
  const rootFile = 'catalog-info.yaml';
  const rootEntities = parseAllDocuments(
    fs.readFileSync(path.join(root, rootFile), 'utf8'),
  )
    .map(d => d.toJS() as Entity)
    .filter(e => e?.kind)
    .map(entity => ({ entity, file: rootFile }));

  it('describes every Flux-reconciled service exactly once, with owner and docs', () => {
    const problems = checkCatalog(snapshot, rootEntities);
    // The message is the list of what is missing: one line per problem.
    expect(problems.join('\n')).toBe('');
  });

  it('lists every hand-written catalog file in a Location', () => {
    const targets = new Set<string>();
    const visit = (file: string) => {
      for (const d of parseAllDocuments(
        fs.readFileSync(path.join(root, file), 'utf8'),
      )) {
        const e = d.toJS() as Entity;
        if (e?.kind !== 'Location') continue;
        for (const t of (e.spec?.targets as string[]) ?? []) {
          const target = path.posix.normalize(
            path.posix.join(path.posix.dirname(file), t),
          );
          if (!targets.has(target)) {
            targets.add(target);
            visit(target);
          }
        }
      }
    };
    // The hand-written catalog's index (the Flux module emits the files, a Location lists them).
    const index = 'catalog/all.yaml';
    targets.add(index);
    visit(index);
    const missing = snapshot.handWritten
      .map(h => h.file)
      .filter(f => !targets.has(f));
    expect([...new Set(missing)]).toEqual([]);
  });

  it('emits the hand-written catalog but its Locations, and no entity twice', () => {
    const refs = snapshot.emitted.map(e => stringifyEntityRef(e));
    expect(refs).toEqual(expect.arrayContaining(['component:default/vault']));
    expect(refs.filter((r, i) => refs.indexOf(r) !== i)).toEqual([]);
    expect(snapshot.emitted.filter(e => e.kind === 'Location')).toEqual([]);
    expect(
      snapshot.handWritten.filter(h => h.entity.kind !== 'Location').length,
    ).toBe(snapshot.emitted.length - snapshot.entities.length);
  });

  it('generates the platform from gitops/ and providers/', () => {
    const refs = snapshot.entities.map(e => `${e.kind}:${e.metadata.name}`);
    expect(refs).toEqual(
      expect.arrayContaining([
        'Resource:hetzner',
        'Resource:scaleway',
        'Resource:hcloud-volumes',
        'Resource:scw-bssd',
        'Component:platform-policy',
      ]),
    );
    // Hand-written entries replace their generated counterparts.
    expect(refs).not.toContain('Component:vault');
    expect(refs).not.toContain('Component:apps-pihole-hetzner');
  });
});
