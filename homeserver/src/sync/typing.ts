// Typing notifications: https://spec.matrix.org/v1.19/client-server-api/#typing-notifications
// Held in memory by every process; changes travel over the bus (Redis between processes). The
// stream position is a millisecond clock, so positions from any process (or from before a
// restart) compare meaningfully without shared storage.
import type { EventBus } from '../bus/bus.js';
import { CHANNEL, type TypingMessage } from './channels.js';

/** Servers cap how long a typing notification lasts. */
export const MAX_TYPING_TIMEOUT_MS = 120_000;
export const DEFAULT_TYPING_TIMEOUT_MS = 30_000;

interface RoomTyping {
  users: Map<string, number>;
  position: number;
  timer?: NodeJS.Timeout;
}

export class TypingService {
  private readonly rooms = new Map<string, RoomTyping>();
  private lastPosition = 0;
  private readonly unsubscribe: () => void;

  constructor(private readonly bus: EventBus) {
    this.unsubscribe = bus.subscribe(CHANNEL.typing, (m) => this.apply(m as TypingMessage));
  }

  async setTyping(roomId: string, userId: string, typing: boolean, timeoutMs = DEFAULT_TYPING_TIMEOUT_MS): Promise<void> {
    const expiresAt = Date.now() + Math.min(timeoutMs, MAX_TYPING_TIMEOUT_MS);
    const message: TypingMessage = { roomId, userId, typing, expiresAt };
    await this.bus.publish(CHANNEL.typing, message);
  }

  /** Applies a change from any process. The bus also delivers our own messages back to us. */
  private apply(m: TypingMessage): void {
    let room = this.rooms.get(m.roomId);
    if (!room) this.rooms.set(m.roomId, (room = { users: new Map(), position: 0 }));
    const wasTyping = room.users.has(m.userId);
    if (m.typing && m.expiresAt > Date.now()) room.users.set(m.userId, m.expiresAt);
    else room.users.delete(m.userId);
    // Renewing a timeout changes nothing a client sees.
    if (wasTyping !== room.users.has(m.userId)) room.position = this.nextPosition();
    this.schedule(m.roomId, room);
  }

  private nextPosition(): number {
    this.lastPosition = Math.max(this.lastPosition + 1, Date.now());
    return this.lastPosition;
  }

  private schedule(roomId: string, room: RoomTyping): void {
    clearTimeout(room.timer);
    if (room.users.size === 0) return;
    const next = Math.min(...room.users.values());
    room.timer = setTimeout(() => this.expire(roomId), Math.max(0, next - Date.now()) + 5);
    room.timer.unref();
  }

  private expire(roomId: string): void {
    const room = this.rooms.get(roomId);
    if (!room) return;
    const now = Date.now();
    let changed = false;
    for (const [user, expiresAt] of room.users) {
      if (expiresAt <= now) {
        room.users.delete(user);
        changed = true;
      }
    }
    if (changed) {
      room.position = this.nextPosition();
      // Every process expires on its own clock; each wakes its own listeners.
      this.onExpire?.(roomId);
    }
    this.schedule(roomId, room);
  }

  /** Set by the notifier owner: local wake-up when a timeout expires (no bus message for it). */
  onExpire?: (roomId: string) => void;

  get currentPosition(): number {
    return this.lastPosition;
  }

  /** The m.typing event for the room if it changed after `since` (always when since is 0 and someone types). */
  typingEvent(roomId: string, since: number): { type: 'm.typing'; content: { user_ids: string[] } } | undefined {
    const room = this.rooms.get(roomId);
    if (!room || room.position <= since) return undefined;
    if (since === 0 && room.users.size === 0) return undefined;
    return { type: 'm.typing', content: { user_ids: [...room.users.keys()] } };
  }

  close(): void {
    this.unsubscribe();
    for (const room of this.rooms.values()) clearTimeout(room.timer);
  }
}
