// Start-up order (main.ts): the server is built while the database comes up and its schema is
// checked on a connection of its own; the pool opens connections only once that is done.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { createDatabase, migrateDatabase } from '../../homeserver/src/db/database.js';
import { runPrepared } from '../../homeserver/src/db/prepared.js';
import type { EmbeddedDatabase } from '../../homeserver/src/db/embedded.js';
import { startHomeserver } from '../../homeserver/src/main.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { testConfig } from '../support/server.js';

let database: TestDatabase;
let dataDir: string;

beforeAll(async () => {
  database = await createTestDatabase();
  dataDir = mkdtempSync(path.join(tmpdir(), 'parley-db-startup-'));
});
afterAll(async () => {
  await database?.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

function deferred<T>(): { promise: Promise<T>; resolve(value: T): void; reject(err: Error): void } {
  let resolve!: (value: T) => void;
  let reject!: (err: Error) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

const settledWithin = (p: Promise<unknown>, ms: number) =>
  Promise.race([p.then(() => true, () => true), new Promise((r) => setTimeout(() => r(false), ms))]);

describe('a pool whose URL comes later', () => {
  it('holds queries (knex and prepared statements) until the URL is known, then runs them', async () => {
    const url = deferred<string>();
    const db = createDatabase(() => url.promise, { min: 0, max: 2 });
    try {
      const viaKnex = db.raw('select 41 + 1 as answer');
      const prepared = runPrepared<{ n: number }>(db, { name: 'startup_test', text: 'SELECT $1::int AS n' }, [7]);
      expect(await settledWithin(Promise.all([viaKnex, prepared]), 100)).toBe(false);
      url.resolve(database.url);
      expect((await viaKnex).rows).toEqual([{ answer: 42 }]);
      expect(await prepared).toEqual([{ n: 7 }]);
    } finally {
      await db.destroy();
    }
  });

  it('fails its queries with the error that kept the URL from coming', async () => {
    const db = createDatabase(() => Promise.reject(new Error('database never came up')), { min: 0, max: 1 });
    try {
      await expect(db.raw('select 1')).rejects.toThrow(/database never came up/);
    } finally {
      await db.destroy();
    }
  });
});

describe('migrateDatabase', () => {
  it('applies nothing to a current schema and closes its connections', async () => {
    const count = async () => {
      const db = createDatabase(database.url, { min: 0, max: 1 });
      try {
        const { rows } = await db.raw<{ rows: Array<{ n: number }> }>('select count(*)::int as n from pg_stat_activity where datname = current_database()');
        return rows[0].n;
      } finally {
        await db.destroy();
      }
    };
    const before = await count();
    expect(await migrateDatabase(database.url)).toEqual([]);
    expect(await count()).toBe(before);
  });
});

describe('startHomeserver with an embedded database still starting', () => {
  const config = () => testConfig('embedded', dataDir);

  it('answers only once the database is up, and then serves requests that need it', async () => {
    const db = deferred<EmbeddedDatabase>();
    let stopped = 0;
    const starting = startHomeserver(config(), { log: pino({ level: 'silent' }), embedded: db.promise });
    expect(await settledWithin(starting, 200)).toBe(false);
    db.resolve({ url: database.url, stop: async () => void stopped++ });
    const hs = await starting;
    try {
      const res = await fetch(`${hs.url}/_matrix/client/v3/register/available?username=startup`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ available: true });
    } finally {
      await hs.stop();
    }
    expect(stopped).toBe(1);
  });

  it('fails with the database error, and stops the database it was given', async () => {
    const db = deferred<EmbeddedDatabase>();
    let stopped = 0;
    const starting = startHomeserver(config(), { log: pino({ level: 'silent' }), embedded: db.promise });
    // A database that starts but whose schema cannot be read: the start fails and stops it.
    db.resolve({ url: 'postgres://nobody@127.0.0.1:1/none', stop: async () => void stopped++ });
    await expect(starting).rejects.toThrow();
    expect(stopped).toBe(1);
  });
});
