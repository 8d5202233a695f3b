// Helpers for the room benchmarks: a fresh database on a real Postgres, an in-process Parley on it,
// users with access tokens.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { pino } from 'pino';
import { validateConfig } from '../../homeserver/dist/config/load.js';
import { startHomeserver, type Homeserver } from '../../homeserver/dist/main.js';

export const ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgres://root@127.0.0.1:5432/postgres';

export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

export function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

export interface BenchServer {
  hs: Homeserver;
  dbUrl: string;
  /** Stops the server (its connections go) and keeps the database. */
  stop(): Promise<void>;
  /** Stops the server and drops the database. */
  close(): Promise<void>;
}

export async function benchServer(poolMax = 20): Promise<BenchServer> {
  const name = `parley_bench_rooms_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const u = new URL(ADMIN_URL);
  u.pathname = `/${name}`;
  const dbUrl = u.toString();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'parley-bench-'));
  const config = validateConfig({
    server_name: 'bench.local',
    data_dir: dataDir,
    listeners: { client: { port: 0, bind_address: '127.0.0.1' }, federation: { port: 0, bind_address: '127.0.0.1' } },
    database: { url: dbUrl, pool_max: poolMax },
    registration: { enabled: true, require_token: false },
    rate_limits: { enabled: false },
    federation: { enabled: false },
    log_level: 'silent',
  });
  const hs = await startHomeserver(config, { log: pino({ level: 'silent' }) });
  let stopped: Promise<void> | undefined;
  const stop = () => (stopped ??= hs.stop());
  return {
    hs,
    dbUrl,
    stop,
    close: async () => {
      await stop();
      rmSync(dataDir, { recursive: true, force: true });
      const a = new pg.Client({ connectionString: ADMIN_URL });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    },
  };
}

export async function benchUser(hs: Homeserver, localpart: string): Promise<{ userId: string; token: string }> {
  const created = await (hs.context as any).accounts.registration.createAccount(
    { localpart, password: `${localpart}-pw-123456`, allowReserved: true },
    { deviceDisplayName: 'bench' },
  );
  return { userId: created.userId, token: created.tokens.access_token };
}

export async function put(url: string, token: string, body: unknown): Promise<any> {
  const res = await fetch(url, { method: 'PUT', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  const json = await res.json();
  if (res.status !== 200) throw new Error(`${res.status} ${JSON.stringify(json)}`);
  return json;
}
