// Starts a real Parley homeserver in this process for a test: its own database (cloned from the
// migrated template), free ports on loopback, a temp data dir. Stop it in afterAll.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { validateConfig, type ResolvedConfig } from '../../homeserver/src/config/load.js';
import { startHomeserver, type Homeserver } from '../../homeserver/src/main.js';
import { createTestDatabase, type TestDatabase } from './database.js';

export interface TestServer extends Homeserver {
  config: ResolvedConfig;
  database: TestDatabase;
  dataDir: string;
  /** Stops the server and drops its database. */
  destroy(): Promise<void>;
  /** Stops and starts the server again on the same database and data dir (new ports). */
  restart(): Promise<TestServer>;
}

export type ConfigOverrides = Record<string, unknown>;

function deepMerge(base: Record<string, unknown>, extra: Record<string, unknown>): Record<string, unknown> {
  const out = { ...base };
  for (const [k, v] of Object.entries(extra)) {
    out[k] =
      v && typeof v === 'object' && !Array.isArray(v) && base[k] && typeof base[k] === 'object'
        ? deepMerge(base[k] as Record<string, unknown>, v as Record<string, unknown>)
        : v;
  }
  return out;
}

export function testConfig(dbUrl: string, dataDir: string, overrides: ConfigOverrides = {}): ResolvedConfig {
  const raw = deepMerge(
    {
      server_name: 'localhost',
      data_dir: dataDir,
      listeners: {
        client: { port: 0, bind_address: '127.0.0.1' },
        federation: { port: 0, bind_address: '127.0.0.1' },
      },
      database: { url: dbUrl, pool_max: 5 },
      registration: { enabled: true, require_token: false, shared_secret: 'test-shared-secret-0123456789' },
      rate_limits: { enabled: false },
      federation: { enabled: false },
      log_level: process.env.PARLEY_TEST_LOG ?? 'silent',
    },
    overrides,
  );
  return validateConfig(raw);
}

async function boot(database: TestDatabase, dataDir: string, overrides: ConfigOverrides): Promise<TestServer> {
  const config = testConfig(database.url, dataDir, overrides);
  const hs = await startHomeserver(config, {
    validateResponses: true,
    log: pino({ level: config.log_level }),
  });
  const server: TestServer = {
    ...hs,
    config: { ...config, public_baseurl: hs.url },
    database,
    dataDir,
    destroy: async () => {
      await hs.stop();
      await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
    restart: async () => {
      await hs.stop();
      return boot(database, dataDir, overrides);
    },
  };
  return server;
}

/**
 * `shareWith`: run a second process on the same database and data dir (several Parley processes
 * behind one load balancer); its `destroy()` only stops it, the first server's drops the database.
 */
export async function startTestServer(overrides: ConfigOverrides = {}, opts: { shareWith?: TestServer } = {}): Promise<TestServer> {
  if (opts.shareWith) {
    const shared = await boot(opts.shareWith.database, opts.shareWith.dataDir, overrides);
    return { ...shared, destroy: () => shared.stop() };
  }
  const database = await createTestDatabase();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'parley-test-'));
  return boot(database, dataDir, overrides);
}
