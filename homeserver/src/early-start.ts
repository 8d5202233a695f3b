// `parley start` on a personal install (embedded database, no config file, no DATABASE_URL):
// the embedded Postgres is launched before the rest of Parley loads, so its start-up and the
// loading of the server's code overlap. The full configuration is validated right after; if it
// disagrees or is invalid, the early cluster is stopped again.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type { EmbeddedDatabase } from './db/embedded.js';
import { createLogger } from './logging.js';

const LOG_LEVELS = new Set(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

export interface EarlyStart {
  /** The cluster's data directory this early start used. */
  dataDir: string;
  log: Logger;
  /** The running (or starting) cluster; claiming it means the caller now owns it. */
  start(): Promise<EmbeddedDatabase>;
  /** Stops the cluster unless it was claimed. */
  abandon(): Promise<void>;
}

export function earlyEmbeddedStart(argv: string[], env: NodeJS.ProcessEnv, cwd = process.cwd()): EarlyStart | undefined {
  const [command, ...rest] = argv.slice(2);
  if (command !== 'start' || rest.length > 0) return undefined;
  if (env.PARLEY_CONFIG || env.DATABASE_URL || existsSync(path.join(cwd, 'parley.yaml'))) return undefined;
  const level = env.PARLEY_LOG_LEVEL ?? 'info';
  if (!LOG_LEVELS.has(level)) return undefined; // the normal path reports the error
  const dataDir = path.resolve(cwd, env.PARLEY_DATA_DIR ?? './data', 'postgres');
  const log = createLogger(level);
  const cluster = import('./db/embedded.js').then((m) => m.startEmbeddedPostgres(dataDir, log));
  cluster.catch(() => {});
  let claimed = false;
  return {
    dataDir,
    log,
    start: () => {
      claimed = true;
      return cluster;
    },
    abandon: async () => {
      if (!claimed) await (await cluster.catch(() => undefined))?.stop();
    },
  };
}
