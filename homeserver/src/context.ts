// The services built by main.ts and handed to every API module (no global locator).
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import type { ResolvedConfig } from './config/load.js';
import type { Database } from './db/database.js';
import type { EventBus } from './bus/bus.js';
import type { SigningKey } from './keys/signing-key.js';
import type { Metrics } from './http/metrics.js';
import type { AccountServices } from './accounts/index.js';
import type { FederationServices } from './federation/index.js';

export interface ServerContext {
  config: ResolvedConfig;
  log: Logger;
  db: Database;
  bus: EventBus;
  signingKey: SigningKey;
  metrics: Metrics;
  /** Users, sessions, devices, profiles (with `profiles.onProfileChanged`, `sessions.onDevicesDeleted`, `account.onDeactivated` hooks). */
  accounts: AccountServices;
  /** Server discovery, signed outbound requests, server keys (fetched, cached, published). */
  federation: FederationServices;
  features: { websocket: boolean };
  /** Tasks to run at shutdown (timers, workers), in reverse order of registration. */
  onShutdown(task: () => Promise<void> | void): void;
  /** Takes HTTP upgrade requests (WebSocket endpoints) on the client and federation listeners. */
  onUpgrade(handler: UpgradeHandler): void;
  /** Tasks run as shutdown begins, before in-flight requests are awaited (end long-polls, close sockets). */
  onStopping(task: () => void): void;
}

/** Returns true when it took the upgrade; a request no handler takes is refused. */
export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => boolean;
