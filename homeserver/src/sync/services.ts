// Builds the sync, realtime, end-to-end-encryption and push services of one process.
import knexFactory, { type Knex } from 'knex';
import type { EventBus } from '../bus/bus.js';
import type { ServerContext } from '../context.js';
import { roomsOf } from '../rooms/index.js';
import { accountDataOf, type AccountDataService } from '../rooms/account-data.js';
import { CrossSigning } from '../e2ee/cross-signing.js';
import { DeviceLists } from '../e2ee/device-lists.js';
import { KeyBackups } from '../e2ee/key-backup.js';
import { KeyService } from '../e2ee/keys.js';
import { GatewaySender } from '../push/gateway-sender.js';
import { NotificationService } from '../push/notifications.js';
import { PusherStore } from '../push/pushers.js';
import { PushRulesStore } from '../push/rules-store.js';
import { FilterStore } from './filters.js';
import { Notifier } from './notifier.js';
import { PresenceService } from './presence.js';
import { ReceiptService } from './receipts.js';
import { SyncService } from './sync-service.js';
import { ToDeviceService } from './to-device.js';
import { TypingService } from './typing.js';
import type { WebSocketStream } from './ws-stream.js';

export interface RealtimeServices {
  db: Knex;
  bus: EventBus;
  sync: SyncService;
  /** Rooms' account data (m.fully_read is written through it). */
  accountData: AccountDataService;
  notifier: Notifier;
  typing: TypingService;
  receipts: ReceiptService;
  presence: PresenceService;
  toDevice: ToDeviceService;
  filters: FilterStore;
  deviceLists: DeviceLists;
  keys: KeyService;
  crossSigning: CrossSigning;
  keyBackups: KeyBackups;
  pushRules: PushRulesStore;
  pushers: PusherStore;
  notifications: NotificationService;
  /** The WebSocket stream, once its endpoint is registered. */
  websocket?: WebSocketStream;
}

const built = new WeakMap<ServerContext, RealtimeServices>();

/**
 * A small pool of its own for the reads and writes every delivery waits on (positions, room
 * events, unread counts, push evaluation): a send backlog, whose transactions hold pooled
 * connections while they wait for their room's lock, cannot starve the fan-out.
 */
function deliveryPool(db: Knex, poolMax: number): Knex {
  const config = (db.client as { config: Knex.Config }).config;
  return knexFactory({ ...config, pool: { min: 0, max: Math.max(3, Math.min(8, Math.ceil(poolMax / 3))) } });
}

/** One set per server context (the API modules and the WebSocket endpoint share it). */
export function realtimeOf(s: ServerContext): RealtimeServices {
  const existing = built.get(s);
  if (existing) return existing;
  const { db, bus, log } = s;
  const serverName = s.config.server_name;
  const fanout = deliveryPool(db, s.config.database.pool_max);
  const notifier = new Notifier(bus, db);
  const typing = new TypingService(bus);
  typing.onExpire = (roomId) => notifier.wakeRoom(roomId);
  const deviceLists = new DeviceLists(db, bus);
  const crossSigning = new CrossSigning(db, deviceLists);
  const pushRules = new PushRulesStore(db, bus);
  const pushers = new PusherStore(db);
  const gateway = new GatewaySender(log);
  const services = {
    db,
    bus,
    accountData: accountDataOf(s),
    notifier,
    typing,
    receipts: new ReceiptService(db, bus),
    presence: new PresenceService(db, bus, {
      idleAfterMs: s.config.presence?.idle_after_ms ?? 5 * 60_000,
      sweepEveryMs: Math.min(30_000, Math.max(200, Math.floor((s.config.presence?.idle_after_ms ?? 300_000) / 4))),
    }),
    toDevice: new ToDeviceService(db, bus, serverName),
    filters: new FilterStore(db),
    deviceLists,
    keys: new KeyService(db, bus, deviceLists, crossSigning, serverName),
    crossSigning,
    keyBackups: new KeyBackups(db),
    pushRules,
    pushers,
    notifications: new NotificationService(fanout, bus, pushRules, pushers, gateway, log, serverName),
  } as Omit<RealtimeServices, 'sync'> as RealtimeServices;
  services.sync = new SyncService(db, roomsOf(s), services, fanout);
  notifier.beforeRoomWake = (m) => services.notifications.evaluated(m.eventId);
  s.onStopping(() => services.sync.stop());
  s.accounts.sessions.onDevicesDeleted.push(async (userId, deviceIds) => {
    for (const d of deviceIds) await services.keys.deviceDeleted(userId, d);
  });
  s.onShutdown(async () => {
    await services.sync.drain();
    await services.notifications.idle();
    notifier.close();
    services.sync.caches.close();
    typing.close();
    services.presence.close();
    pushRules.close();
    services.notifications.close();
    gateway.close();
    await fanout.destroy();
  });
  built.set(s, services);
  return services;
}
