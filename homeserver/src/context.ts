// The services built by main.ts and handed to every API module (no global locator).
import type { Logger } from 'pino';
import type { ResolvedConfig } from './config/load.js';
import type { Database } from './db/database.js';
import type { EventBus } from './bus/bus.js';
import type { SigningKey } from './keys/signing-key.js';
import type { Metrics } from './http/metrics.js';
import type { AccountServices } from './accounts/index.js';

export interface ServerContext {
  config: ResolvedConfig;
  log: Logger;
  db: Database;
  bus: EventBus;
  signingKey: SigningKey;
  metrics: Metrics;
  /** Users, sessions, devices, profiles (with `profiles.onProfileChanged`, `sessions.onDevicesDeleted`, `account.onDeactivated` hooks). */
  accounts: AccountServices;
  features: { websocket: boolean };
  /** Tasks to run at shutdown (timers, workers), in reverse order of registration. */
  onShutdown(task: () => Promise<void> | void): void;
}
