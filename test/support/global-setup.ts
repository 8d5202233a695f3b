// Picks the database for integration tests and prepares a migrated template database that
// each test file clones (CREATE DATABASE ... TEMPLATE), so files run in parallel in isolation.
//   1. TEST_DATABASE_URL if set (CI sets it when Postgres answers on 127.0.0.1:5432);
//   2. else a Postgres container through testcontainers, if a Docker engine answers;
//   3. else an embedded Postgres in a temp dir.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { pino } from 'pino';
import type { TestProject } from 'vitest/node';
import { createDatabase, migrate } from '../../homeserver/src/db/database.js';
import { startEmbeddedPostgres } from '../../homeserver/src/db/embedded.js';

declare module 'vitest' {
  export interface ProvidedContext {
    adminDatabaseUrl: string;
    templateDatabase: string;
    redisUrl: string | undefined;
  }
}

async function dockerAnswers(): Promise<boolean> {
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await Promise.race([
      getContainerRuntimeClient(),
      new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 5000)),
    ]);
    return true;
  } catch {
    return false;
  }
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

export default async function setup(project: TestProject) {
  const cleanups: Array<() => Promise<void>> = [];
  let adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl && (await dockerAnswers())) {
    const { GenericContainer, Wait } = await import('testcontainers');
    const container = await new GenericContainer('postgres:16-alpine')
      .withEnvironment({ POSTGRES_PASSWORD: 'parley', POSTGRES_USER: 'parley', POSTGRES_DB: 'parley' })
      .withExposedPorts(5432)
      .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/, 2))
      .start();
    adminUrl = `postgres://parley:parley@${container.getHost()}:${container.getMappedPort(5432)}/parley`;
    cleanups.push(async () => void (await container.stop()));
  }
  if (!adminUrl) {
    const dir = mkdtempSync(path.join(tmpdir(), 'parley-test-pg-'));
    const embedded = await startEmbeddedPostgres(path.join(dir, 'postgres'), pino({ level: 'warn' }));
    adminUrl = embedded.url;
    cleanups.push(async () => {
      await embedded.stop();
      rmSync(dir, { recursive: true, force: true });
    });
  }

  // One template per run, migrated once.
  const template = `parley_tpl_${process.pid}_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${template}`);
  const db = createDatabase(withDatabase(adminUrl, template), { min: 0, max: 2 });
  await migrate(db);
  await db.destroy();
  await admin.end();

  project.provide('adminDatabaseUrl', adminUrl);
  project.provide('templateDatabase', template);
  project.provide('redisUrl', process.env.TEST_REDIS_URL);

  return async () => {
    const a = new pg.Client({ connectionString: adminUrl });
    await a.connect();
    // Drop this run's databases: the template and every clone still around.
    const { rows } = await a.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname = $1 OR datname LIKE $2`,
      [template, `${template}_%`],
    );
    for (const { datname } of rows) await a.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
    await a.end();
    for (const c of cleanups.reverse()) await c();
  };
}
