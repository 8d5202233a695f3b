// Named prepared statements (db/prepared.ts): run on a pooled knex connection, parsed once per
// connection, and visible to watchers of knex's query events like any other statement.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, type Database } from '../../homeserver/src/db/database.js';
import { runPrepared } from '../../homeserver/src/db/prepared.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

let database: TestDatabase;
let db: Database;

beforeAll(async () => {
  database = await createTestDatabase();
  db = createDatabase(database.url, { min: 0, max: 2 });
});
afterAll(async () => {
  await db?.destroy();
  await database?.drop();
});

const ADD = { name: 'test_add', text: 'SELECT $1::int + $2::int AS sum, $3::text[] AS list' };

describe('prepared statements', () => {
  it('return rows with the parameters bound, the same statement many times over the pool', async () => {
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => runPrepared<{ sum: number; list: string[] }>(db, ADD, [i, 1, ['a', `b${i}`]])));
    expect(results.map(([r]) => r.sum)).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
    expect(results[3][0].list).toEqual(['a', 'b3']);
  });

  it("are reported to watchers of knex's query events", async () => {
    const seen: string[] = [];
    const answered: unknown[] = [];
    const onQuery = (q: { sql: string; bindings: unknown[] }) => seen.push(`${q.sql} ${JSON.stringify(q.bindings)}`);
    const onResponse = (rows: unknown) => answered.push(rows);
    db.on('query', onQuery).on('query-response', onResponse);
    try {
      await runPrepared(db, ADD, [2, 3, []]);
    } finally {
      db.off('query', onQuery).off('query-response', onResponse);
    }
    expect(seen).toEqual([`${ADD.text} [2,3,[]]`]);
    expect(answered).toEqual([[{ sum: 5, list: [] }]]);
  });
});
