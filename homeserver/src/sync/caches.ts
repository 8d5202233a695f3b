// Per-process caches that let many syncs woken by the same change share its reads. Each is
// invalidated by the bus messages of the streams it mirrors, so it is exact across processes.
import type { Knex } from 'knex';
import type { EventBus } from '../bus/bus.js';
import { runPrepared, type PreparedStatement } from '../db/prepared.js';
import { EVENT_COLUMNS, toStoredEvent, type StoredEvent } from '../rooms/store.js';
import { CHANNEL, type RoomEventMessage, type UserMessage } from './channels.js';
import { countedStreamPositions, type CountedStream } from './streams.js';
import { UnreadCounts } from './unread.js';
import { settling, type Settling } from '../settling.js';

/** Longest a cached value is trusted without a bus message (a lost message costs at most this). */
const MAX_AGE_MS = 2000;

/** A value re-read when a generation counter moved since it was read (or it got old). */
class Generational<T> {
  private value?: T;
  private valueGen = -1;
  private valueAt = 0;
  constructor(
    private readonly load: () => Promise<T>,
    private readonly maxAgeMs = MAX_AGE_MS,
  ) {}
  private pending?: { gen: number; promise: Promise<T> };
  gen = 0;

  invalidate(): void {
    this.gen++;
  }

  /** Applies a change known from a bus message without a read (or invalidates if a read is running). */
  update(fn: (v: T) => T): void {
    if (this.pending || this.value === undefined || this.valueGen !== this.gen) this.invalidate();
    else this.value = fn(this.value);
  }

  /** The value if it is current, without a promise (most calls: the hot path of every sync). */
  peek(): T | undefined {
    return this.value !== undefined && this.valueGen === this.gen && Date.now() - this.valueAt < this.maxAgeMs ? this.value : undefined;
  }

  get(): Promise<T> {
    const current = this.peek();
    if (current !== undefined) return Promise.resolve(current);
    if (this.pending && this.pending.gen === this.gen) return this.pending.promise;
    if (this.value !== undefined && this.valueGen === this.gen) this.gen++;
    const gen = this.gen;
    const promise = this.load().then((v) => {
      // A change that arrived while reading leaves the value stale (the next caller re-reads).
      if (this.gen === gen) {
        this.value = v;
        this.valueGen = gen;
        this.valueAt = Date.now();
      }
      return v;
    });
    promise.finally(() => {
      if (this.pending?.promise === promise) this.pending = undefined;
    }).catch(() => {});
    this.pending = { gen, promise };
    return promise;
  }
}

export interface GlobalPositions extends Record<CountedStream, number> {
  events: number;
  /** The newest membership event (read after `events`, so it covers every one up to it). */
  lastMembership: number;
}

interface RecentEvents {
  /** Every visible-candidate event of the room with floor < nid <= upTo, ascending. */
  events: StoredEvent[];
  floor: number;
  upTo: number;
  loading?: Promise<void>;
}

const RECENT_EVENTS_KEPT = 64;
const USER_ENTRIES_MAX = 50_000;

/** Relations that bundle into their target (https://spec.matrix.org/v1.19/client-server-api/#aggregations-of-child-events). */
const BUNDLED_REL_TYPES = ['m.replace', 'm.thread', 'm.reference'];

/**
 * The newest safe events position and the newest membership, in one statement, so the newest
 * membership covers every one up to the safe position (the in-flight rule of rooms/stream.ts
 * maxSafeStreamOrdering, docs/storage.md). Every wake-up runs it: a prepared statement.
 */
const EVENT_POSITIONS: PreparedStatement = {
  name: 'sync_event_positions',
  text: `SELECT coalesce(
           (SELECT min(stream_ordering) - 1 FROM stream_in_flight WHERE owner_pid IN (SELECT pid FROM pg_stat_activity)),
           (SELECT max(stream_ordering) FROM events),
           0) AS pos,
           (SELECT coalesce(max(event_nid), 0) FROM room_memberships) AS member`,
};

/** A cached event's columns, with whether any event bundles into it ($1: the bundled relation types). */
const CACHED_EVENT_COLUMNS = `${EVENT_COLUMNS.join(', ')},
           EXISTS (SELECT 1 FROM event_relations rel WHERE rel.relates_to_id = e.event_id AND rel.rel_type = ANY($1::text[])) AS has_relations`;

/** The timeline events of several rooms ($2), each in its window ($3, $4], ascending. */
const EVENT_WINDOWS: PreparedStatement = {
  name: 'sync_event_windows',
  text: `SELECT ${CACHED_EVENT_COLUMNS}
           FROM events e
           JOIN rooms r ON r.room_nid = e.room_nid
           JOIN unnest($2::int[], $3::bigint[], $4::bigint[]) AS w(room_nid, lo, hi)
             ON w.room_nid = e.room_nid AND e.stream_ordering > w.lo AND e.stream_ordering <= w.hi
          WHERE NOT e.outlier AND NOT e.soft_failed AND e.rejected_reason IS NULL
          ORDER BY e.stream_ordering`,
};

/** The newest $5 timeline events of one room ($2) in ($3, $4], newest first. */
const ROOM_EVENTS: PreparedStatement = {
  name: 'sync_room_events',
  text: `SELECT ${CACHED_EVENT_COLUMNS}
           FROM events e
           JOIN rooms r ON r.room_nid = e.room_nid
          WHERE e.room_nid = $2 AND e.stream_ordering > $3 AND e.stream_ordering <= $4
            AND NOT e.outlier AND NOT e.soft_failed AND e.rejected_reason IS NULL
          ORDER BY e.stream_ordering DESC
          LIMIT $5`,
};

export class SyncCaches {
  /** `peek`: the positions if current, without a promise (else `get` reads them). */
  readonly positions: { get(): Promise<GlobalPositions>; peek(): GlobalPositions | undefined };
  private lastMerged?: { events: object; counted: object; positions: GlobalPositions };
  /** The events position and newest membership: moved by every room event. */
  private readonly eventPositions: Generational<{ events: number; lastMembership: number }>;
  /** The counted streams: moved by their own channels only. */
  private readonly counted: Generational<Record<CountedStream, number>>;
  readonly unread: UnreadCounts;
  /** Cached room events known to have no bundled relations (serialized without that read). */
  private readonly unrelated = new WeakSet<StoredEvent>();
  /** Room id → nid of the rooms cached here; rooms announced but not yet prefetched. */
  private readonly nidOf = new Map<string, number>();
  private readonly prefetching = new Set<string>();
  /** The newest safe events position read so far (every event up to it is committed). */
  private latestSafe = 0;
  private readonly perUser = new Map<string, Generational<{ accountData: number; notifications: number }>>();
  /** Rooms of each user's recent notifications, from the bus: [id, room] by ascending id, complete above `from`. */
  private readonly notified = new Map<string, { from: number; rooms: Array<[number, string]> }>();
  private readonly memberships = new Map<string, { at: number; rows: Settling<MembershipRow[]> }>();
  private readonly rooms = new Map<number, RecentEvents>();
  private readonly ignored = new Map<string, Settling<Set<string>>>();
  private readonly unsubscribe: Array<() => void> = [];

  constructor(
    private readonly db: Knex,
    bus: EventBus,
  ) {
    this.eventPositions = new Generational(async () => {
      const [row] = await runPrepared<{ pos: string; member: string }>(db, EVENT_POSITIONS, []);
      const events = Number(row.pos);
      this.latestSafe = Math.max(this.latestSafe, events);
      return { events, lastMembership: Number(row.member) };
    });
    this.counted = new Generational(() => countedStreamPositions(db));
    this.positions = {
      get: async () => {
        const [events, counted] = await Promise.all([this.eventPositions.get(), this.counted.get()]);
        return this.merged(events, counted);
      },
      peek: () => {
        const events = this.eventPositions.peek();
        const counted = events && this.counted.peek();
        return counted && this.merged(events, counted);
      },
    };
    this.unread = new UnreadCounts(db, bus);
    const on = (channel: string, fn: (m: any) => void) => this.unsubscribe.push(bus.subscribe(channel, fn));
    for (const c of [CHANNEL.receipt, CHANNEL.presence, CHANNEL.toDevice, CHANNEL.deviceList, CHANNEL.pushRules]) on(c, () => this.counted.invalidate());
    on(CHANNEL.roomEvent, (m: RoomEventMessage) => {
      this.eventPositions.invalidate();
      if (m.type === 'm.room.member' && m.stateKey) this.memberships.delete(m.stateKey);
      // A redaction rewrites an older event: forget the room's copies.
      if (m.type === 'm.room.redaction') for (const [nid, r] of this.rooms) if (r.events.some((e) => e.roomId === m.roomId)) this.rooms.delete(nid);
      this.prefetch(m.roomId);
    });
    on(CHANNEL.accountData, (m: UserMessage) => {
      const entry = this.perUser.get(m.userId);
      if (typeof m.streamId === 'number') entry?.update((v) => ({ ...v, accountData: Math.max(v.accountData, m.streamId!) }));
      else entry?.invalidate();
      this.ignored.delete(m.userId);
    });
    on(CHANNEL.unread, (m: UserMessage) => {
      const entry = this.perUser.get(m.userId);
      if (typeof m.id !== 'number') return entry?.invalidate();
      entry?.update((v) => ({ ...v, notifications: Math.max(v.notifications, m.id!) }));
      const recent = this.notified.get(m.userId);
      if (recent && m.roomId) {
        // Kept in id order (messages of several processes may interleave): usually a push.
        const rooms = recent.rooms;
        let at = rooms.length;
        while (at > 0 && rooms[at - 1][0] > m.id) at--;
        rooms.splice(at, 0, [m.id, m.roomId]);
        if (rooms.length > 200) recent.from = rooms.splice(0, 100).at(-1)![0];
      }
    });
  }

  /** Both position reads share one object until one of them changes. */
  private merged(events: { events: number; lastMembership: number }, counted: Record<CountedStream, number>): GlobalPositions {
    const last = this.lastMerged;
    if (last && last.events === events && last.counted === counted) return last.positions;
    const positions = { ...counted, ...events };
    this.lastMerged = { events, counted, positions };
    return positions;
  }

  /** The user's positions if current, without a promise. */
  peekUserPositions(userId: string): { accountData: number; notifications: number } | undefined {
    return this.perUser.get(userId)?.peek();
  }

  userPositions(userId: string): Promise<{ accountData: number; notifications: number }> {
    let entry = this.perUser.get(userId);
    if (!entry) {
      if (this.perUser.size > USER_ENTRIES_MAX) this.perUser.clear();
      entry = new Generational(async () => {
        const { rows } = await this.db.raw(
          `SELECT (SELECT coalesce(max(stream_id), 0) FROM account_data WHERE user_id = ?) AS a,
                  (SELECT coalesce(max(id), 0) FROM notifications WHERE user_id = ?) AS n`,
          [userId, userId],
        );
        return { accountData: Number(rows[0].a), notifications: Number(rows[0].n) };
      }, 30_000 * (1 + Math.random()));
      this.perUser.set(userId, entry);
    }
    return entry.get();
  }

  /**
   * Reads the new position and the new events of rooms cached here as soon as the bus announces
   * them, while their push evaluation runs: the syncs it then wakes find both ready. One read of
   * the position for every room announced in the same turn of the event loop.
   */
  private prefetch(roomId: string): void {
    if (!this.nidOf.has(roomId)) return;
    this.prefetching.add(roomId);
    if (this.prefetching.size > 1) return;
    setImmediate(() => {
      const nids = [...this.prefetching].map((id) => this.nidOf.get(id)!);
      this.prefetching.clear();
      void this.positions
        .get()
        .then(({ events }) =>
          Promise.all(
            nids.map((nid) => {
              const r = this.rooms.get(nid);
              return r && events > r.upTo ? this.recentEvents(nid, r.upTo, events) : undefined;
            }),
          ),
        )
        .catch(() => {});
    });
  }

  /** Starts recording the user's notified rooms from `from` on (a sync that saw nothing move). */
  watchNotified(userId: string, from: number): void {
    if (this.notified.has(userId)) return;
    if (this.notified.size > USER_ENTRIES_MAX) this.notified.clear();
    this.notified.set(userId, { from, rooms: [] });
  }

  /** Rooms with notifications for the user with ids in (from, upTo], or undefined if unknown here. */
  notifiedRooms(userId: string, from: number, upTo: number): Set<string> | undefined {
    const recent = this.notified.get(userId);
    if (!recent) {
      // Start recording now: complete from the next read position on.
      if (this.notified.size > USER_ENTRIES_MAX) this.notified.clear();
      this.notified.set(userId, { from: upTo, rooms: [] });
      return undefined;
    }
    if (from < recent.from) return undefined;
    // The newest few, from the end: a syncing user has seen all but those.
    const rooms = new Set<string>();
    for (let i = recent.rooms.length - 1; i >= 0 && recent.rooms[i][0] > from; i--) if (recent.rooms[i][0] <= upTo) rooms.add(recent.rooms[i][1]);
    return rooms;
  }

  /** The user's ignored users (m.ignored_user_list), kept until their account data changes. */
  ignoredUsers(userId: string, load: () => Promise<Set<string>>): Promise<Set<string>> {
    let hit = this.ignored.get(userId);
    if (!hit) {
      if (this.ignored.size > USER_ENTRIES_MAX) this.ignored.clear();
      const entry = settling(load(), () => this.ignored.get(userId) === entry && this.ignored.delete(userId));
      this.ignored.set(userId, (hit = entry));
    }
    return hit.promise;
  }

  /** The user's ignored users if known here, without a promise. */
  peekIgnoredUsers(userId: string): Set<string> | undefined {
    return this.ignored.get(userId)?.value;
  }

  /** The user's memberships (kept until a member event about them; re-read every 15-30 s). */
  membershipsOf(userId: string): Promise<MembershipRow[]> {
    const hit = this.memberships.get(userId);
    if (hit && Date.now() < hit.at) return hit.rows.promise;
    if (this.memberships.size > USER_ENTRIES_MAX) this.memberships.clear();
    // A promise, not the query builder (awaiting a builder runs its query again).
    const rows: Promise<MembershipRow[]> = this.db('current_memberships as m')
      .join('rooms as r', 'r.room_nid', 'm.room_nid')
      .where('m.user_id', userId)
      .select('r.room_id', 'm.room_nid', 'm.membership', 'm.event_nid', 'm.forgotten')
      .then((r: MembershipRow[]) => r);
    // Re-read after 15-30 s (jittered: users who connected together do not all re-read together).
    const entry = {
      at: Date.now() + 15_000 * (1 + Math.random()),
      rows: settling(rows, () => this.memberships.get(userId) === entry && this.memberships.delete(userId)),
    };
    this.memberships.set(userId, entry);
    return rows;
  }

  /** The user's memberships if known here and current, without a promise. */
  peekMemberships(userId: string): MembershipRow[] | undefined {
    const hit = this.memberships.get(userId);
    return hit && Date.now() < hit.at ? hit.rows.value : undefined;
  }

  /**
   * The room's newest events in (from, upTo], ascending; `complete` when that is all of them
   * (otherwise older ones exist below what the cache holds).
   */
  async recentEvents(roomNid: number, from: number, upTo: number): Promise<{ events: StoredEvent[]; complete: boolean }> {
    let r = this.rooms.get(roomNid);
    if (!r) {
      r = { events: [], floor: upTo, upTo, loading: undefined };
      // Seed with the newest events at or below upTo.
      const seed = this.load(roomNid, 0, upTo, RECENT_EVENTS_KEPT);
      r.loading = seed.then((events) => {
        if (events.length && this.nidOf.size < 100_000) this.nidOf.set(events[0].roomId, roomNid);
        r!.events = events;
        this.noteRelations(r!, events);
        r!.floor = events.length === RECENT_EVENTS_KEPT ? events[0].nid - 1 : 0;
      });
      this.rooms.set(roomNid, r);
    }
    while (r.loading) {
      const l = r.loading;
      await l;
      if (r.loading === l) r.loading = undefined;
    }
    if (upTo > r.upTo) {
      const start = r.upTo;
      // As far as is known to be safe: the syncs of the same wake-up that read a newer position share this read.
      const end = Math.max(upTo, this.latestSafe);
      r.loading = this.extend(roomNid, start, end).then((events) => {
        if (r!.upTo !== start) return;
        r!.events.push(...events);
        this.noteRelations(r!, events);
        r!.upTo = end;
        if (r!.events.length > RECENT_EVENTS_KEPT) {
          const dropped = r!.events.splice(0, r!.events.length - RECENT_EVENTS_KEPT);
          r!.floor = dropped[dropped.length - 1].nid;
        }
      });
      await r.loading;
      r.loading = undefined;
    }
    const events = r.events.filter((e) => e.nid > from && e.nid <= upTo);
    return { events, complete: from >= r.floor && upTo <= r.upTo };
  }

  private toEvents(rows: Array<{ has_relations: boolean }>): StoredEvent[] {
    return rows.map((row) => {
      const e = toStoredEvent(row as never);
      if (!row.has_relations) this.unrelated.add(e);
      return e;
    });
  }

  /** The room's newest `limit` events in (from, upTo], ascending. */
  private async load(roomNid: number, from: number, upTo: number, limit: number): Promise<StoredEvent[]> {
    const rows = await runPrepared<{ has_relations: boolean }>(this.db, ROOM_EVENTS, [BUNDLED_REL_TYPES, roomNid, from, upTo, limit]);
    return this.toEvents(rows.reverse());
  }

  private extensions = new Map<number, { from: number; upTo: number; resolve: (e: StoredEvent[]) => void; reject: (err: unknown) => void }>();

  /**
   * The events of a cached room in (from, upTo], ascending: short windows of every room asked for
   * in the same turn of the event loop are read in one statement (a wake-up spans many rooms).
   */
  private extend(roomNid: number, from: number, upTo: number): Promise<StoredEvent[]> {
    if (upTo - from > 10_000 || this.extensions.has(roomNid)) return this.load(roomNid, from, upTo, 1000);
    return new Promise((resolve, reject) => {
      this.extensions.set(roomNid, { from, upTo, resolve, reject });
      if (this.extensions.size > 1) return;
      setImmediate(() => {
        const batch = this.extensions;
        this.extensions = new Map();
        const nids = [...batch.keys()];
        runPrepared<{ has_relations: boolean }>(this.db, EVENT_WINDOWS, [
          BUNDLED_REL_TYPES,
          nids,
          nids.map((n) => batch.get(n)!.from),
          nids.map((n) => batch.get(n)!.upTo),
        ])
          .then((rows: Array<{ has_relations: boolean }>) => {
            const events = this.toEvents(rows);
            for (const [nid, x] of batch) x.resolve(events.filter((e) => e.roomNid === nid));
          })
          .catch((err: unknown) => {
            for (const x of batch.values()) x.reject(err);
          });
      });
    });
  }

  /** Events of the cache that a newer cached event relates to lose their "unrelated" mark. */
  private noteRelations(r: RecentEvents, added: StoredEvent[]): void {
    for (const e of added) {
      const rel = (e.pdu.content as { 'm.relates_to'?: { rel_type?: unknown; event_id?: unknown } } | undefined)?.['m.relates_to'];
      if (!rel || typeof rel.event_id !== 'string' || !BUNDLED_REL_TYPES.includes(String(rel.rel_type))) continue;
      for (const t of r.events) if (t.eventId === rel.event_id) this.unrelated.delete(t);
    }
  }

  /**
   * True when the event came from this cache and no event up to the cache's end bundles into it.
   * A relation committed later is at a higher position, so it reaches the cache (and unmarks the
   * target) before any sync can read up to it.
   */
  withoutRelations(e: StoredEvent): boolean {
    return this.unrelated.has(e);
  }

  close(): void {
    for (const u of this.unsubscribe) u();
    this.unread.close();
  }
}

export interface MembershipRow {
  room_id: string;
  room_nid: number;
  membership: string;
  event_nid: number;
  forgotten: boolean;
}
