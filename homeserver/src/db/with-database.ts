// Opens the configured database (starting the embedded one if needed) for a one-off CLI task.
import type { Logger } from 'pino';
import type { ResolvedConfig } from '../config/load.js';
import { createDatabase, migrate, type Database } from './database.js';
import { startEmbeddedPostgres } from './embedded.js';

export async function withDatabase<T>(config: ResolvedConfig, log: Logger, task: (db: Database) => Promise<T>): Promise<T> {
  const embedded = config.database.url === 'embedded' ? await startEmbeddedPostgres(config.paths.embeddedPostgres, log) : undefined;
  const db = createDatabase(embedded?.url ?? config.database.url, { min: 0, max: 2 });
  try {
    await migrate(db);
    return await task(db);
  } finally {
    await db.destroy();
    await embedded?.stop();
  }
}
