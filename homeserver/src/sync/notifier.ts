// Wakes waiting syncs (long-polls and WebSocket streams) when something relevant to them changes.
// Everything arrives through the bus, so a write on another Parley process (Redis) wakes the
// waiters of this one just as a local write does.
import type { Knex } from 'knex';
import type { EventBus } from '../bus/bus.js';
import { CHANNEL, type RoomEventMessage, type RoomMessage, type TypingMessage, type UserMessage } from './channels.js';

export interface Listener {
  readonly userId: string;
  readonly deviceId: string;
  /** Called on every relevant change; cheap, may be called often. */
  wake(): void;
}

export interface NotifierOptions {
  /** Wake-ups within this window are delivered together (one read of positions for all). */
  coalesceMs: number;
  /** Longest a room's wake-up waits for `beforeRoomWake` (push evaluation) of its event. */
  gateMaxMs: number;
  /** Longest a change of unread counts alone waits to ride along with another wake-up. */
  lazyMs: number;
}

export class Notifier {
  /**
   * Awaited before a room event wakes the room (set by services.ts to the push evaluation), so
   * the woken syncs carry the event and the unread counts it moved in one response.
   */
  beforeRoomWake?: (m: RoomEventMessage) => Promise<unknown>;
  private readonly pending = new Set<Listener>();
  private flushTimer?: NodeJS.Timeout;
  private readonly lazy = new Set<Listener>();
  private lazyTimer?: NodeJS.Timeout;
  private readonly byUser = new Map<string, Set<Listener>>();
  private readonly byRoom = new Map<string, Set<Listener>>();
  private readonly roomsOf = new Map<Listener, Set<string>>();
  private readonly unsubscribe: Array<() => void> = [];

  constructor(
    bus: EventBus,
    private readonly db: Knex,
    private readonly opts: NotifierOptions = { coalesceMs: 2, gateMaxMs: 10, lazyMs: 100 },
  ) {
    const on = <T>(channel: string, fn: (m: T) => void) =>
      this.unsubscribe.push(bus.subscribe(channel, (m) => fn(m as T)));
    on<RoomEventMessage>(CHANNEL.roomEvent, (m) => {
      const wake = () => {
        this.wakeRoom(m.roomId);
        // A membership change reaches its target even before they are listening on the room.
        if (m.type === 'm.room.member' && m.stateKey) this.wakeUser(m.stateKey);
      };
      if (!this.beforeRoomWake || !this.byRoom.has(m.roomId)) return wake();
      // After the bus dispatch (every subscriber has seen the message), then the gate or its cap.
      queueMicrotask(() => {
        let timer: NodeJS.Timeout | undefined;
        const cap = new Promise<void>((resolve) => (timer = setTimeout(resolve, this.opts.gateMaxMs)));
        void Promise.race([this.beforeRoomWake!(m).catch(() => {}), cap]).then(() => {
          clearTimeout(timer);
          wake();
        });
      });
    });
    on<TypingMessage>(CHANNEL.typing, (m) => this.wakeRoom(m.roomId));
    on<RoomMessage>(CHANNEL.receipt, (m) => this.wakeRoom(m.roomId));
    on<UserMessage>(CHANNEL.accountData, (m) => this.wakeUser(m.userId));
    on<UserMessage>(CHANNEL.toDevice, (m) => this.wakeUser(m.userId, m.deviceId));
    on<UserMessage>(CHANNEL.pushRules, (m) => this.wakeUser(m.userId));
    // Unread counts alone are not urgent: the next frame for the room usually carries them (the
    // event itself normally arrives with them, see beforeRoomWake), so wait a little for one.
    on<UserMessage>(CHANNEL.unread, (m) => this.wakeUserSoon(m.userId));
    on<UserMessage>(CHANNEL.presence, (m) => void this.wakeSharing(m.userId));
    on<UserMessage>(CHANNEL.deviceList, (m) => void this.wakeSharing(m.userId));
  }

  /** Registers a listener for the user and the rooms it syncs; returns the removal function. */
  listen(listener: Listener, roomIds: Iterable<string>): () => void {
    add(this.byUser, listener.userId, listener);
    this.setRooms(listener, roomIds);
    return () => {
      remove(this.byUser, listener.userId, listener);
      this.setRooms(listener, []);
      this.roomsOf.delete(listener);
    };
  }

  /** Replaces the rooms a listener watches (its joined rooms change as it syncs). */
  setRooms(listener: Listener, roomIds: Iterable<string>): void {
    const next = new Set(roomIds);
    const prev = this.roomsOf.get(listener) ?? new Set<string>();
    for (const r of prev) if (!next.has(r)) remove(this.byRoom, r, listener);
    for (const r of next) if (!prev.has(r)) add(this.byRoom, r, listener);
    this.roomsOf.set(listener, next);
  }

  // Wake-ups run after the current bus dispatch (so every other subscriber, the sync caches above
  // all, has seen the message before a woken sync reads) and are coalesced for a few ms.
  wakeUser(userId: string, deviceId?: string): void {
    const listeners = this.byUser.get(userId);
    if (!listeners) return;
    for (const l of listeners) if (!deviceId || deviceId === '*' || l.deviceId === deviceId) this.pending.add(l);
    this.schedule();
  }

  wakeRoom(roomId: string): void {
    const listeners = this.byRoom.get(roomId);
    if (!listeners) return;
    for (const l of listeners) this.pending.add(l);
    this.schedule();
  }

  /** Wakes the user's listeners within `lazyMs` (at once if something else wakes them first). */
  wakeUserSoon(userId: string): void {
    const listeners = this.byUser.get(userId);
    if (!listeners) return;
    for (const l of listeners) this.lazy.add(l);
    this.lazyTimer ??= setTimeout(() => {
      this.lazyTimer = undefined;
      for (const l of this.lazy) this.pending.add(l);
      this.lazy.clear();
      this.schedule();
    }, this.opts.lazyMs);
  }

  private schedule(): void {
    if (this.flushTimer || this.pending.size === 0) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      const woken = [...this.pending];
      this.pending.clear();
      for (const l of woken) this.lazy.delete(l);
      for (const l of woken) l.wake();
    }, this.opts.coalesceMs);
  }

  /** Presence and device lists concern everyone sharing a room with the user. */
  private async wakeSharing(userId: string): Promise<void> {
    this.wakeUser(userId);
    if (this.byRoom.size === 0) return;
    const rows: Array<{ room_id: string }> = await this.db('current_memberships as m')
      .join('rooms as r', 'r.room_nid', 'm.room_nid')
      .where({ 'm.user_id': userId })
      .whereIn('m.membership', ['join', 'leave'])
      .select('r.room_id')
      .catch(() => []);
    for (const { room_id } of rows) this.wakeRoom(room_id);
  }

  get listenerCount(): number {
    let n = 0;
    for (const s of this.byUser.values()) n += s.size;
    return n;
  }

  close(): void {
    clearTimeout(this.flushTimer);
    clearTimeout(this.lazyTimer);
    for (const u of this.unsubscribe) u();
  }
}

function add<K, V>(map: Map<K, Set<V>>, key: K, value: V): void {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  set.add(value);
}

function remove<K, V>(map: Map<K, Set<V>>, key: K, value: V): void {
  const set = map.get(key);
  if (!set) return;
  set.delete(value);
  if (set.size === 0) map.delete(key);
}
