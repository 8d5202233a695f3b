// Unread notification counts per (user, room), kept in memory: read once, then moved by the
// `sync.unread` messages of new notifications and dropped by the user's receipts in the room.
// https://spec.matrix.org/v1.19/client-server-api/#receiving-notifications
import type { Knex } from 'knex';
import type { EventBus } from '../bus/bus.js';
import { CHANNEL, type UserMessage } from './channels.js';

export interface Counts {
  notification_count: number;
  highlight_count: number;
}

interface RoomCounts {
  /** Every unread notification (clients that do not ask for thread counts). */
  all: Counts;
  /** Unthreaded and main-timeline ones. */
  main: Counts;
  /** Per thread, before thread receipts (a room with any is read again when thread counts are asked). */
  threads: Map<string, Counts>;
  /** Newest notification of the user in the room when read: later messages add to the counts. */
  upTo: number;
  at: number;
}

/** Longest counts are trusted without a read (a lost bus message costs at most this). */
const MAX_AGE_MS = 60_000;
const USERS_MAX = 50_000;

const zero = (): Counts => ({ notification_count: 0, highlight_count: 0 });
function add(c: Counts, highlight: boolean): void {
  c.notification_count++;
  if (highlight) c.highlight_count++;
}

function apply(room: RoomCounts, m: UserMessage): void {
  if (typeof m.streamOrdering !== 'number' || m.streamOrdering <= room.upTo) return;
  room.upTo = m.streamOrdering;
  add(room.all, !!m.highlight);
  if (m.threadId) add(room.threads.get(m.threadId) ?? room.threads.set(m.threadId, zero()).get(m.threadId)!, !!m.highlight);
  else add(room.main, !!m.highlight);
}

export type RoomUnread = { main: Counts; threads: Record<string, Counts> };

export class UnreadCounts {
  private readonly users = new Map<string, Map<string, RoomCounts>>();
  /** Bumped by each receipt of the user: a read that overlaps one is used once, not kept. */
  private readonly receiptGen = new Map<string, number>();
  private readonly unsubscribe: Array<() => void> = [];

  constructor(
    private readonly db: Knex,
    bus: EventBus,
  ) {
    this.unsubscribe.push(
      bus.subscribe(CHANNEL.unread, (m) => this.onNotification(m as UserMessage)),
      bus.subscribe(CHANNEL.receipt, (m) => {
        const { userId, roomId } = m as { userId?: string; roomId: string };
        if (!userId) return;
        this.users.get(userId)?.delete(roomId);
        if (this.users.has(userId)) this.receiptGen.set(userId, (this.receiptGen.get(userId) ?? 0) + 1);
      }),
    );
  }

  /** Messages that arrive while a user's counts are being read (applied to the result after). */
  private readonly during = new Map<string, UserMessage[][]>();

  private onNotification(m: UserMessage): void {
    for (const list of this.during.get(m.userId) ?? []) list.push(m);
    const room = m.roomId ? this.users.get(m.userId)?.get(m.roomId) : undefined;
    if (!room) return;
    if (typeof m.streamOrdering !== 'number' || typeof m.highlight !== 'boolean') {
      this.users.get(m.userId)!.delete(m.roomId!);
      return;
    }
    apply(room, m);
  }

  /** Counts for the user's rooms; per thread when asked (`threads` then honour thread receipts). */
  async counts(userId: string, roomIds: readonly string[], byThread: boolean): Promise<Map<string, RoomUnread>> {
    const out = new Map<string, RoomUnread>();
    if (roomIds.length === 0) return out;
    let user = this.users.get(userId);
    if (!user) {
      if (this.users.size > USERS_MAX) this.users.clear();
      this.users.set(userId, (user = new Map()));
    }
    const now = Date.now();
    const missing = roomIds.filter((id) => {
      const r = user.get(id);
      return !r || now - r.at > MAX_AGE_MS || (byThread && r.threads.size > 0);
    });
    const loaded = missing.length ? await this.load(userId, missing, byThread, user) : undefined;
    for (const id of roomIds) {
      const r = loaded?.get(id) ?? user.get(id);
      if (!r) continue;
      out.set(id, byThread ? { main: { ...r.main }, threads: Object.fromEntries([...r.threads].map(([t, c]) => [t, { ...c }])) } : { main: { ...r.all }, threads: {} });
    }
    return out;
  }

  private async load(userId: string, roomIds: string[], byThread: boolean, user: Map<string, RoomCounts>): Promise<Map<string, RoomCounts>> {
    const at = Date.now();
    const gen = this.receiptGen.get(userId) ?? 0;
    const seen: UserMessage[] = [];
    const lists = this.during.get(userId) ?? this.during.set(userId, []).get(userId)!;
    lists.push(seen);
    try {
      return await this.read(userId, roomIds, byThread, user, at, gen, seen);
    } finally {
      lists.splice(lists.indexOf(seen), 1);
      if (lists.length === 0) this.during.delete(userId);
    }
  }

  private async read(userId: string, roomIds: string[], byThread: boolean, user: Map<string, RoomCounts>, at: number, gen: number, seen: UserMessage[]): Promise<Map<string, RoomCounts>> {
    // Per room: the newest notification (the position later messages are counted from) and the
    // notifications after the room's read receipt (public or private, unthreaded or main).
    const { rows } = await this.db.raw(
      `SELECT r.room_id, (SELECT max(x.stream_ordering) FROM notifications x WHERE x.user_id = ? AND x.room_id = r.room_id) AS up_to,
              n.thread_id, n.stream_ordering, n.highlight
         FROM unnest(?::text[]) AS r(room_id)
         LEFT JOIN LATERAL (
           SELECT n.thread_id, n.stream_ordering, n.highlight FROM notifications n
            WHERE n.user_id = ? AND n.room_id = r.room_id AND n.stream_ordering > coalesce((
              SELECT max(rc.event_stream_ordering) FROM receipts rc
               WHERE rc.user_id = ? AND rc.room_id = r.room_id AND rc.receipt_type IN ('m.read', 'm.read.private') AND rc.thread_id IN ('', 'main')), 0)
         ) n ON true`,
      [userId, roomIds, userId, userId],
    );
    const fresh = new Map<string, RoomCounts>();
    for (const row of rows as Array<{ room_id: string; up_to: string | null; thread_id: string | null; stream_ordering: string | null; highlight: boolean | null }>) {
      let r = fresh.get(row.room_id);
      if (!r) fresh.set(row.room_id, (r = { all: zero(), main: zero(), threads: new Map(), upTo: Number(row.up_to ?? 0), at }));
      if (row.stream_ordering === null) continue;
      add(r.all, !!row.highlight);
      if (row.thread_id) add(r.threads.get(row.thread_id) ?? r.threads.set(row.thread_id, zero()).get(row.thread_id)!, !!row.highlight);
      else add(r.main, !!row.highlight);
    }
    const threadReads = byThread && [...fresh.values()].some((r) => r.threads.size > 0) ? await this.threadReceipts(userId, roomIds) : undefined;
    for (const m of seen) {
      const r = m.roomId ? fresh.get(m.roomId) : undefined;
      if (r && typeof m.highlight === 'boolean') apply(r, m);
      else if (r) r.at = 0;
    }
    const keep = (this.receiptGen.get(userId) ?? 0) === gen && this.users.get(userId) === user;
    for (const [roomId, r] of fresh) {
      if (threadReads && r.threads.size) {
        // Thread receipts apply: these threads are recounted on every such read (rare), not kept.
        fresh.set(roomId, { ...r, threads: await this.threadCounts(userId, roomId, threadReads) });
        continue;
      }
      // A message that arrives after this read adds to it (its position is above upTo).
      if (keep) user.set(roomId, r);
    }
    return fresh;
  }

  private async threadReceipts(userId: string, roomIds: readonly string[]): Promise<Map<string, number>> {
    const rows = await this.db('receipts').where({ user_id: userId }).whereIn('room_id', roomIds).whereNotIn('thread_id', ['', 'main']).select('room_id', 'thread_id', 'event_stream_ordering');
    const out = new Map<string, number>();
    for (const r of rows) {
      const k = `${r.room_id}|${r.thread_id}`;
      out.set(k, Math.max(out.get(k) ?? 0, Number(r.event_stream_ordering ?? 0)));
    }
    return out;
  }

  private async threadCounts(userId: string, roomId: string, reads: Map<string, number>): Promise<Map<string, Counts>> {
    const rows: Array<{ thread_id: string; stream_ordering: string; highlight: boolean }> = await this.db('notifications')
      .where({ user_id: userId, room_id: roomId })
      .whereNotNull('thread_id')
      .where('stream_ordering', '>', this.db.raw(`coalesce((SELECT max(rc.event_stream_ordering) FROM receipts rc WHERE rc.user_id = ? AND rc.room_id = ? AND rc.receipt_type IN ('m.read', 'm.read.private') AND rc.thread_id IN ('', 'main')), 0)`, [userId, roomId]))
      .select('thread_id', 'stream_ordering', 'highlight');
    const out = new Map<string, Counts>();
    for (const r of rows) {
      if (Number(r.stream_ordering) <= (reads.get(`${roomId}|${r.thread_id}`) ?? 0)) continue;
      add(out.get(r.thread_id) ?? out.set(r.thread_id, zero()).get(r.thread_id)!, r.highlight);
    }
    return out;
  }

  close(): void {
    for (const u of this.unsubscribe) u();
  }
}
