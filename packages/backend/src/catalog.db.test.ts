import { resolve } from 'node:path';
import { readFileSync } from 'node:fs';
import {
  TestDatabases,
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { parseAllDocuments } from 'yaml';
import request from 'supertest';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import catalogModuleTemplateKind from '@backstage/plugin-catalog-backend-module-scaffolder-entity-model';

/**
 * The catalog's own database code runs against both databases Cloudlab supports: SQLite (local
 * default) and PostgreSQL (production). The test command starts a real PostgreSQL server and
 * exports BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING.
 */
const PG_ENV = 'BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING';
const databases = TestDatabases.create({
  ids: ['SQLITE_3', 'POSTGRES_15'],
  disableDocker: true,
});

const repoRoot = resolve(__dirname, '../../..');

/** Every entity ref declared in a catalog file, following Location targets. */
function declaredRefs(file: string, seen = new Set<string>()): Set<string> {
  for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
    const e = doc.toJS();
    if (!e) continue;
    const ns = e.metadata.namespace ?? 'default';
    if (e.kind !== 'Location') {
      seen.add(`${e.kind}:${ns}/${e.metadata.name}`.toLocaleLowerCase('en-US'));
    }
    for (const target of e.kind === 'Location' ? e.spec.targets ?? [] : []) {
      declaredRefs(resolve(file, '..', target), seen);
    }
  }
  return seen;
}

describe('catalog ingestion of catalog/ and templates/', () => {
  it('has a PostgreSQL server to test against', () => {
    expect({ [PG_ENV]: process.env[PG_ENV] ? 'set' : 'missing' }).toEqual({
      [PG_ENV]: 'set',
    });
  });

  it.each(databases.eachSupportedId())(
    'ingests every declared entity without a processing error on %p',
    async databaseId => {
      const knex = await databases.init(databaseId);
      // catalog/ is emitted by the Flux catalog module in the portal; its index is ingested
      // here so that every hand-written entity is checked against the catalog's validation.
      const locations = [
        'catalog-info.yaml',
        'catalog/all.yaml',
        'templates/all.yaml',
      ].map(f => ({
        type: 'file',
        target: resolve(repoRoot, f),
      }));
      const { server } = await startTestBackend({
        features: [
          catalogPlugin,
          catalogModuleTemplateKind,
          mockServices.database.factory({ knex }),
          mockServices.rootConfig.factory({
            data: {
              catalog: {
                rules: [
                  {
                    allow: [
                      'Component',
                      'System',
                      'API',
                      'Resource',
                      'Location',
                      'Domain',
                      'Group',
                      'User',
                      'Template',
                    ],
                  },
                ],
                locations,
              },
            },
          }),
        ],
      });

      const expected = [
        ...declaredRefs(resolve(repoRoot, 'catalog-info.yaml')),
        ...declaredRefs(resolve(repoRoot, 'catalog/all.yaml')),
        ...declaredRefs(resolve(repoRoot, 'templates/all.yaml')),
      ].sort();
      expect(expected.length).toBeGreaterThan(5);

      let actual: string[] = [];
      for (let attempt = 0; attempt < 120; attempt++) {
        const res = await request(server)
          .get('/api/catalog/entities/by-query?limit=1000&fields=kind,metadata')
          .set('Authorization', mockCredentials.user.header());
        expect(res.status).toBe(200);
        actual = (res.body.items as any[])
          .filter(e => e.kind !== 'Location')
          .map(e =>
            `${e.kind}:${e.metadata.namespace}/${e.metadata.name}`.toLocaleLowerCase(
              'en-US',
            ),
          )
          .sort();
        if (actual.length >= expected.length) break;
        await new Promise(r => setTimeout(r, 500));
      }
      // An entity rejected by validation (a bad link, an unknown kind) is missing here.
      expect(actual).toEqual(expected);
    },
    120_000,
  );
});
