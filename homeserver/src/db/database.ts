// Knex over node-postgres, with consistent numeric parsing and the migration runner.
import knexFactory, { type Knex } from 'knex';
import pg from 'pg';
import { migrations } from '@parley/migrations';

// int8 (bigint, count(*)) and numeric come back as strings by default; Parley's int8 columns
// (stream orderings, timestamps, sizes) all fit in a double, so parse them as numbers.
const INT8_OID = 20;
const NUMERIC_OID = 1700;
pg.types.setTypeParser(INT8_OID, (v) => {
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new Error(`int8 value ${v} exceeds the safe integer range`);
  return n;
});
pg.types.setTypeParser(NUMERIC_OID, (v) => Number(v));

export type Database = Knex;

/** `url` may be a function: the pool then asks it before opening its first connection. */
export function createDatabase(url: string | (() => Promise<string>), pool: { min: number; max: number }): Database {
  return knexFactory({
    client: 'pg',
    connection: typeof url === 'string' ? url : async () => ({ connectionString: await url() }),
    pool: { min: pool.min, max: pool.max },
    acquireConnectionTimeout: 30_000,
    // Only decides json vs text for json columns: stated, it spares a `select version()` on the first connection.
    version: '13',
  });
}

const migrationSource: Knex.MigrationSource<(typeof migrations)[number]> = {
  getMigrations: async () => migrations,
  getMigrationName: (m) => m.name,
  getMigration: async (m) => m,
};

/** Applies pending migrations; returns the names applied. Safe to run from several processes at once. */
export async function migrate(db: Database): Promise<string[]> {
  // Fast path for every start but the first after an upgrade: one query instead of knex's lock dance.
  if ((await appliedMigrationNames(db))?.length === migrations.length) return [];
  const [, applied] = (await db.migrate.latest({ migrationSource })) as [number, string[]];
  return applied;
}

/** migrate() over a short-lived pool of its own. */
export async function migrateDatabase(url: string): Promise<string[]> {
  const db = createDatabase(url, { min: 0, max: 2 });
  try {
    return await migrate(db);
  } finally {
    await db.destroy();
  }
}

export async function pendingMigrations(db: Database): Promise<string[]> {
  const [, pending] = (await db.migrate.list({ migrationSource })) as [unknown, Array<{ name: string } | string>];
  return pending.map((p) => (typeof p === 'string' ? p : p.name));
}

/** Names recorded in knex's table, or undefined before the first migration. */
async function appliedMigrationNames(db: Database): Promise<string[] | undefined> {
  try {
    const rows: Array<{ name: string }> = await db('knex_migrations').select('name');
    const known = new Set(migrations.map((m) => m.name));
    return rows.map((r) => r.name).filter((n) => known.has(n));
  } catch {
    return undefined;
  }
}
