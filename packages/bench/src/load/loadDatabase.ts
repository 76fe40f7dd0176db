import { execFileSync } from 'node:child_process';
import path from 'node:path';
import knexFactory from 'knex';

/**
 * The database the load suite's backend runs on. `postgres` is the production configuration
 * (app-config.production.yaml): the catalog, the search index (the Postgres search engine, which
 * indexes in the database) and every other plugin's tables in PostgreSQL. `sqlite` is the local
 * portal's in-memory database, where search falls back to Lunr, whose index build holds the
 * event loop for as long as it adds documents (docs/adr/1101-load-test-model.md).
 */
export type LoadDatabase = 'postgres' | 'sqlite';

/** Every plugin database of a load run starts with this, so a run can drop the last one's. */
export const LOAD_DATABASE_PREFIX = 'cloudlab_load_';

/**
 * A PostgreSQL server's connection string: `CLOUDLAB_LOAD_POSTGRES`, else the one the test
 * command exported for the database tests, else the one `scripts/postgres.sh` prints (it starts
 * the machine's PostgreSQL, installing it when absent).
 */
export function postgresConnection(root: string): string {
  const given =
    process.env.CLOUDLAB_LOAD_POSTGRES ??
    process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING;
  if (given) return given;
  return execFileSync('bash', [path.join(root, 'scripts', 'postgres.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
}

/** Drops the plugin databases a previous load run left, so the backend starts on empty ones. */
export async function dropLoadDatabases(connection: string): Promise<string[]> {
  const admin = new URL(connection);
  admin.pathname = '/postgres';
  const db = knexFactory({
    client: 'pg',
    connection: admin.toString(),
    pool: { min: 0, max: 1 },
  });
  try {
    const rows = await db('pg_database')
      .select<Array<{ datname: string }>>('datname')
      .where('datname', 'like', `${LOAD_DATABASE_PREFIX}%`);
    for (const { datname } of rows) {
      await db.raw('DROP DATABASE ?? WITH (FORCE)', [datname]);
    }
    return rows.map(r => r.datname);
  } finally {
    await db.destroy();
  }
}

/** The `backend.database` block for the load run. */
export function databaseConfig(
  database: LoadDatabase,
  connection?: string,
): object {
  if (database === 'sqlite') {
    return { client: 'better-sqlite3', connection: ':memory:' };
  }
  if (!connection) throw new Error('postgres needs a connection string');
  return { client: 'pg', connection, prefix: LOAD_DATABASE_PREFIX };
}
