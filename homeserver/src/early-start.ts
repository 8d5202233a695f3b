// `parley start` on a personal install (embedded database, no config file, no DATABASE_URL):
// the embedded Postgres is launched before the rest of Parley loads, so its start-up and the
// loading of the server's code overlap. This module and postgres-process.ts import only Node's
// built-ins for that reason; what Postgres logs meanwhile is kept until there is a logger.
// The full configuration is validated right after; if it disagrees or is invalid, the early
// server is stopped again. A first start (no cluster yet) takes the normal path.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { readSecret, runPostgres, type LogLevel, type LogSink, type PostgresProcess } from './db/postgres-process.js';

export interface EarlyStart {
  /** The cluster's data directory this early start used. */
  dataDir: string;
  /** Settles once the postgres process exists (or failed to): from then on it boots by itself. */
  launched: Promise<void>;
  /** Claims the running (or starting) server: what it logged so far goes to `log`, and so does the rest. */
  start(log: Logger): Promise<{ server: PostgresProcess; password: string }>;
  /** Stops the server unless it was claimed. */
  abandon(): Promise<void>;
}

export function earlyEmbeddedStart(argv: string[], env: NodeJS.ProcessEnv, cwd = process.cwd()): EarlyStart | undefined {
  const [command, ...rest] = argv.slice(2);
  if (command !== 'start' || rest.length > 0) return undefined;
  if (env.PARLEY_CONFIG || env.DATABASE_URL || existsSync(path.join(cwd, 'parley.yaml'))) return undefined;
  const dataDir = path.resolve(cwd, env.PARLEY_DATA_DIR ?? './data', 'postgres');
  const password = readSecret(dataDir);
  if (!password) return undefined;

  const held: Array<[LogLevel, Record<string, unknown>, string]> = [];
  let sink: LogSink = (level, fields, msg) => held.push([level, fields, msg]);
  const started = Date.now();
  let spawned!: () => void;
  const launched = new Promise<void>((resolve) => (spawned = resolve));
  const server = runPostgres(dataDir, (level, fields, msg) => sink(level, fields, msg), spawned);
  server.catch(() => spawned());
  let claimed = false;
  return {
    dataDir,
    launched,
    start: async (log) => {
      claimed = true;
      sink = (level, fields, msg) => log[level](fields, msg);
      for (const [level, fields, msg] of held.splice(0)) sink(level, fields, msg);
      const running = await server;
      log.info({ port: running.port, ms: Date.now() - started }, 'embedded postgres started');
      return { server: running, password };
    },
    abandon: async () => {
      if (!claimed) await (await server.catch(() => undefined))?.stop();
    },
  };
}
