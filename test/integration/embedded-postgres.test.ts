// The embedded Postgres of a personal install, driven through `parley start` as a user runs it:
// first start (initdb, the database, the password file and nothing else left behind), a restart
// that keeps the data, recovery after `kill -9` of Parley (orphaned postgres) and after a crash of
// both (stale postmaster.pid), a first start cut short before the database existed, and, as root,
// postgres running as the `postgres` user.
import { existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exited, startCli, type CliServer } from '../support/cli.js';
import { client } from '../support/http.js';

type Parley = CliServer;

function startParley(dataDir: string): Promise<Parley> {
  return startCli({ PARLEY_DATA_DIR: dataDir, PARLEY_REGISTRATION: 'open', PARLEY_RATE_LIMITS: 'off', DATABASE_URL: undefined, PARLEY_CONFIG: undefined, REDIS_URL: undefined });
}

async function stop(p: Parley): Promise<number | null> {
  p.proc.kill('SIGTERM');
  return exited(p);
}

/** pids of postgres processes whose command line names this cluster directory. */
function postgresProcesses(pgData: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (path.basename(cmd[0]) === 'postgres' && cmd.includes(pgData)) pids.push(Number(entry));
    } catch {
      /* gone */
    }
  }
  return pids;
}

/** The port the cluster's postgres was told to use (`-p`). */
function postgresPort(pid: number): number {
  const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  return Number(args[args.indexOf('-p') + 1]);
}

function uidOf(pid: number): number {
  return Number(/^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);
}

async function waitFor(check: () => boolean, what: string, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function login(url: string, user: string, password: string): Promise<number> {
  const res = await client(url).post('/_matrix/client/v3/login', { type: 'm.login.password', identifier: { type: 'm.id.user', user }, password });
  return res.status;
}

describe('embedded Postgres', () => {
  let dataDir: string;
  let pgData: string;
  let running: Parley | undefined;

  beforeAll(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'parley-embedded-'));
    pgData = path.join(dataDir, 'postgres');
  });

  afterAll(async () => {
    if (running && running.proc.exitCode === null) await stop(running);
    for (const pid of postgresProcesses(pgData)) process.kill(pid, 'SIGQUIT');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('first start: initialises the cluster and keeps only the password file, mode 0600', async () => {
    running = await startParley(dataDir);
    const reg = await client(running.url).post('/_matrix/client/v3/register', { username: 'alice', password: 'alice-password-1', auth: { type: 'm.login.dummy' } });
    expect(reg.status).toBe(200);
    expect(existsSync(path.join(pgData, 'PG_VERSION'))).toBe(true);
    expect(statSync(path.join(dataDir, 'postgres.secret')).mode & 0o777).toBe(0o600);
    // initdb's password file lived in a directory of ours and is gone, as is the first-start marker.
    expect(readdirSync(dataDir).sort()).toEqual(['media', 'postgres', 'postgres.secret', 'signing.key']);
    const pids = postgresProcesses(pgData);
    expect(pids.length).toBeGreaterThan(0);
    if (process.getuid?.() === 0) for (const pid of pids) expect(uidOf(pid)).not.toBe(0);
    expect(await stop(running)).toBe(0);
    expect(postgresProcesses(pgData)).toEqual([]);
  });

  it('a restart starts the same cluster early and keeps the data', async () => {
    running = await startParley(dataDir);
    expect(await login(running.url, 'alice', 'alice-password-1')).toBe(200);
    expect(await stop(running)).toBe(0);
    expect(postgresProcesses(pgData)).toEqual([]);
  });

  it('starts Postgres on its last port again, or on a free one when another program holds that port', async () => {
    running = await startParley(dataDir);
    const first = postgresPort(postgresProcesses(pgData)[0]);
    expect(await stop(running)).toBe(0);

    running = await startParley(dataDir);
    expect(postgresPort(postgresProcesses(pgData)[0])).toBe(first);
    expect(await stop(running)).toBe(0);

    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(first, '127.0.0.1', resolve));
    try {
      running = await startParley(dataDir);
      expect(postgresPort(postgresProcesses(pgData)[0])).not.toBe(first);
      expect(await login(running.url, 'alice', 'alice-password-1')).toBe(200);
      expect(await stop(running)).toBe(0);
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  });

  it('after kill -9 of Parley, the next start stops the orphaned postgres and carries on', async () => {
    running = await startParley(dataDir);
    const before = postgresProcesses(pgData);
    running.proc.kill('SIGKILL');
    await exited(running);
    // Postgres outlives its parent; the next start must not fail on the lock it holds.
    await new Promise((r) => setTimeout(r, 200));
    expect(postgresProcesses(pgData).some((pid) => before.includes(pid))).toBe(true);
    running = await startParley(dataDir);
    expect(await login(running.url, 'alice', 'alice-password-1')).toBe(200);
    expect(postgresProcesses(pgData).some((pid) => before.includes(pid))).toBe(false);
    expect(await stop(running)).toBe(0);
  });

  it('after a crash of both (stale postmaster.pid), the next start removes the lock and carries on', async () => {
    running = await startParley(dataDir);
    running.proc.kill('SIGKILL');
    await exited(running);
    for (const pid of postgresProcesses(pgData)) process.kill(pid, 'SIGKILL');
    await waitFor(() => postgresProcesses(pgData).length === 0, 'postgres to die');
    expect(existsSync(path.join(pgData, 'postmaster.pid'))).toBe(true);
    running = await startParley(dataDir);
    expect(await login(running.url, 'alice', 'alice-password-1')).toBe(200);
    expect(await stop(running)).toBe(0);
  });

  it('a first start cut short after initdb is finished by the next start', async () => {
    // The state a crash between initdb and CREATE DATABASE leaves: the password still marked partial.
    renameSync(path.join(dataDir, 'postgres.secret'), path.join(dataDir, 'postgres.secret.partial'));
    running = await startParley(dataDir);
    expect(await login(running.url, 'alice', 'alice-password-1')).toBe(200);
    expect(existsSync(path.join(dataDir, 'postgres.secret'))).toBe(true);
    expect(existsSync(path.join(dataDir, 'postgres.secret.partial'))).toBe(false);
    expect(await stop(running)).toBe(0);
  });

  it('refuses to start a cluster whose password file is gone, and says which file', async () => {
    renameSync(path.join(dataDir, 'postgres.secret'), path.join(dataDir, 'postgres.secret.moved'));
    try {
      await expect(startParley(dataDir)).rejects.toThrow(/postgres\.secret is missing/);
      expect(existsSync(path.join(pgData, 'PG_VERSION'))).toBe(true);
    } finally {
      renameSync(path.join(dataDir, 'postgres.secret.moved'), path.join(dataDir, 'postgres.secret'));
    }
  });
});
