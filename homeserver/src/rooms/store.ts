// Reads of the room tables (docs/storage.md). Writes go through pipeline.ts.
import type { Knex } from 'knex';
import { Errors, getRoomVersion, stateKey, type RoomEvent, type RoomVersion, type StateKey } from '@parley/spec';
import { loadStateGroup } from './state-groups.js';

export interface RoomInfo {
  roomNid: number;
  roomId: string;
  version: RoomVersion;
  creator: string;
}

/** An event as stored, with its local metadata. */
export interface StoredEvent {
  nid: number;
  eventId: string;
  roomNid: number;
  roomId: string;
  type: string;
  stateKey: string | null;
  sender: string;
  depth: number;
  originServerTs: number;
  stateGroup: number | null;
  replacesState: number | null;
  redactedBy: number | null;
  outlier: boolean;
  rejected: boolean;
  /** The signed PDU (redacted form once redacted), with `event_id` filled in. */
  pdu: RoomEvent;
}

export const EVENT_COLUMNS = [
  'e.stream_ordering',
  'e.event_id',
  'e.room_nid',
  'e.type',
  'e.state_key',
  'e.sender',
  'e.depth',
  'e.origin_server_ts',
  'e.state_group',
  'e.replaces_state',
  'e.redacted_by',
  'e.outlier',
  'e.rejected_reason',
  'e.json',
  'r.room_id',
];

/** A position between two events in topological order: just after (depth, stream). */
export interface TopoPosition {
  depth: number;
  stream: number;
}

/** A page of the timeline, in the order of `dir` ('b': newest first). */
export interface TimelineQuery {
  /** Backwards: events at or before this position (the end when absent); forwards: events after it. */
  from?: TopoPosition;
  /** Where to stop: exclusive backwards, inclusive forwards. */
  to?: TopoPosition;
  dir: 'b' | 'f';
  limit: number;
  /** Events up to this stream position only (a reader who left). */
  untilStream?: number;
  types?: readonly string[];
  senders?: readonly string[];
}

/**
 * "In the timeline": the predicate of the partial indexes events_room_topo / events_room_stream.
 * Written out literally (not as bound parameters) so the planner matches those indexes.
 */
export const IN_TIMELINE = 'NOT e.outlier AND NOT e.soft_failed AND e.rejected_reason IS NULL';

const SELECT_EVENTS = `SELECT ${EVENT_COLUMNS.join(', ')} FROM events e JOIN rooms r ON r.room_nid = e.room_nid`;

export function toStoredEvent(row: any): StoredEvent {
  const pdu = JSON.parse(row.json) as RoomEvent;
  pdu.event_id = row.event_id;
  if (pdu.room_id === undefined) pdu.room_id = row.room_id;
  return {
    nid: Number(row.stream_ordering),
    eventId: row.event_id,
    roomNid: row.room_nid,
    roomId: row.room_id,
    type: row.type,
    stateKey: row.state_key,
    sender: row.sender,
    depth: Number(row.depth),
    originServerTs: Number(row.origin_server_ts),
    stateGroup: row.state_group === null ? null : Number(row.state_group),
    replacesState: row.replaces_state === null ? null : Number(row.replaces_state),
    redactedBy: row.redacted_by === null ? null : Number(row.redacted_by),
    outlier: row.outlier,
    rejected: row.rejected_reason !== null,
    pdu,
  };
}

export class RoomStore {
  private readonly rooms = new Map<string, RoomInfo>();
  private readonly roomsByNid = new Map<number, RoomInfo>();

  constructor(readonly db: Knex) {}

  /** Room ids and versions never change: cached once seen. */
  async room(roomId: string, db: Knex = this.db): Promise<RoomInfo | undefined> {
    const cached = this.rooms.get(roomId);
    if (cached) return cached;
    const row = await db('rooms').where({ room_id: roomId }).first();
    return row ? this.remember(row) : undefined;
  }

  async roomByNid(nid: number): Promise<RoomInfo | undefined> {
    const cached = this.roomsByNid.get(nid);
    if (cached) return cached;
    const row = await this.db('rooms').where({ room_nid: nid }).first();
    return row ? this.remember(row) : undefined;
  }

  async requireRoom(roomId: string): Promise<RoomInfo> {
    const room = await this.room(roomId);
    if (!room) throw Errors.notFound('Unknown room');
    return room;
  }

  remember(row: { room_nid: number; room_id: string; room_version: string; creator: string }): RoomInfo {
    const version = getRoomVersion(row.room_version);
    if (!version) throw new Error(`room ${row.room_id} has unsupported version ${row.room_version}`);
    const info = { roomNid: row.room_nid, roomId: row.room_id, version, creator: row.creator };
    this.rooms.set(info.roomId, info);
    this.roomsByNid.set(info.roomNid, info);
    return info;
  }

  private events(db: Knex = this.db) {
    return db('events as e').join('rooms as r', 'r.room_nid', 'e.room_nid');
  }

  async eventById(eventId: string, db: Knex = this.db): Promise<StoredEvent | undefined> {
    const row = await this.events(db).where('e.event_id', eventId).first(EVENT_COLUMNS);
    return row ? toStoredEvent(row) : undefined;
  }

  async eventsByIds(eventIds: readonly string[], db: Knex = this.db): Promise<StoredEvent[]> {
    if (eventIds.length === 0) return [];
    const rows = await this.events(db).whereIn('e.event_id', eventIds).select(EVENT_COLUMNS);
    return rows.map(toStoredEvent);
  }

  async eventsByNids(nids: readonly number[], db: Knex = this.db): Promise<StoredEvent[]> {
    if (nids.length === 0) return [];
    const rows = await this.events(db).whereIn('e.stream_ordering', nids).select(EVENT_COLUMNS).orderBy('e.stream_ordering');
    return rows.map(toStoredEvent);
  }

  /** One current state event, or undefined. */
  async currentStateEvent(roomNid: number, type: string, key = '', db: Knex = this.db): Promise<StoredEvent | undefined> {
    const row = await this.events(db)
      .join('current_state as cs', 'cs.event_nid', 'e.stream_ordering')
      .where({ 'cs.room_nid': roomNid, 'cs.type': type, 'cs.state_key': key })
      .first(EVENT_COLUMNS);
    return row ? toStoredEvent(row) : undefined;
  }

  /** Current state events for the given keys (all of them when `keys` is omitted). */
  async currentState(roomNid: number, keys?: ReadonlyArray<[string, string]>, db: Knex = this.db): Promise<Map<StateKey, StoredEvent>> {
    const q = this.events(db).join('current_state as cs', 'cs.event_nid', 'e.stream_ordering').where('cs.room_nid', roomNid);
    if (keys) {
      if (keys.length === 0) return new Map();
      q.whereIn(['cs.type', 'cs.state_key'], keys as Array<[string, string]>);
    }
    const rows = await q.select(EVENT_COLUMNS);
    const out = new Map<StateKey, StoredEvent>();
    for (const row of rows) {
      const e = toStoredEvent(row);
      out.set(stateKey(e.type, e.stateKey ?? ''), e);
    }
    return out;
  }

  /** The state after an event (its state group), as full events. */
  async stateAfter(event: StoredEvent, db: Knex = this.db): Promise<Map<StateKey, StoredEvent>> {
    if (event.stateGroup === null) return new Map();
    const nids = await loadStateGroup(db, event.stateGroup);
    const events = await this.eventsByNids([...nids.values()], db);
    return new Map(events.map((e) => [stateKey(e.type, e.stateKey ?? ''), e]));
  }

  /** The state before an event: its state after, with the event itself replaced by what it replaced. */
  async stateBefore(event: StoredEvent, db: Knex = this.db): Promise<Map<StateKey, StoredEvent>> {
    const state = await this.stateAfter(event, db);
    if (event.stateKey !== null) {
      const key = stateKey(event.type, event.stateKey);
      if (state.get(key)?.nid === event.nid) {
        state.delete(key);
        if (event.replacesState !== null) {
          const [prev] = await this.eventsByNids([event.replacesState], db);
          if (prev) state.set(key, prev);
        }
      }
    }
    return state;
  }

  /**
   * The last position of the room's timeline (at or before stream position `upToStream`), or
   * undefined for an empty room. Walks events_room_topo backwards: one index entry.
   */
  async latestPosition(roomNid: number, upToStream?: number, db: Knex = this.db): Promise<TopoPosition | undefined> {
    const bound = upToStream === undefined ? '' : 'AND e.stream_ordering <= ?';
    const { rows } = await db.raw(
      `SELECT e.depth, e.stream_ordering FROM events e WHERE e.room_nid = ? AND ${IN_TIMELINE} ${bound}
        ORDER BY e.depth DESC, e.stream_ordering DESC LIMIT 1`,
      upToStream === undefined ? [roomNid] : [roomNid, upToStream],
    );
    return rows.length ? { depth: Number(rows[0].depth), stream: Number(rows[0].stream_ordering) } : undefined;
  }

  /**
   * Up to `limit` timeline events in topological order from `from` (keyset pagination on
   * events_room_topo: the cost is the page, not the room's size).
   */
  async timelinePage(roomNid: number, q: TimelineQuery, db: Knex = this.db): Promise<StoredEvent[]> {
    const back = q.dir === 'b';
    const from = q.from ?? (back ? undefined : { depth: 0, stream: 0 });
    const where = [`e.room_nid = ?`, IN_TIMELINE];
    const bindings: unknown[] = [roomNid];
    if (from) {
      where.push(`(e.depth, e.stream_ordering) ${back ? '<=' : '>'} (?, ?)`);
      bindings.push(from.depth, from.stream);
    }
    if (q.to) {
      where.push(`(e.depth, e.stream_ordering) ${back ? '>' : '<='} (?, ?)`);
      bindings.push(q.to.depth, q.to.stream);
    }
    if (q.untilStream !== undefined) {
      where.push('e.stream_ordering <= ?');
      bindings.push(q.untilStream);
    }
    if (q.types) {
      where.push('e.type = ANY(?::text[])');
      bindings.push([...q.types]);
    }
    if (q.senders) {
      where.push('e.sender = ANY(?::text[])');
      bindings.push([...q.senders]);
    }
    const order = back ? 'DESC' : 'ASC';
    bindings.push(q.limit);
    const { rows } = await db.raw(
      `${SELECT_EVENTS} WHERE ${where.join(' AND ')} ORDER BY e.depth ${order}, e.stream_ordering ${order} LIMIT ?`,
      bindings as Knex.RawBinding[],
    );
    return rows.map(toStoredEvent);
  }

  /** A user's current membership in a room (`leave` when none). */
  async membership(roomNid: number, userId: string, db: Knex = this.db): Promise<{ membership: string; eventNid: number | null; forgotten: boolean }> {
    const row = await db('current_memberships').where({ room_nid: roomNid, user_id: userId }).first();
    return row ? { membership: row.membership, eventNid: Number(row.event_nid), forgotten: row.forgotten } : { membership: 'leave', eventNid: null, forgotten: false };
  }

  async joinedRoomIds(userId: string): Promise<string[]> {
    const rows = await this.db('current_memberships as m')
      .join('rooms as r', 'r.room_nid', 'm.room_nid')
      .where({ 'm.user_id': userId, 'm.membership': 'join' })
      .select('r.room_id');
    return rows.map((r) => r.room_id);
  }

  async joinedMembers(roomNid: number): Promise<string[]> {
    const rows = await this.db('current_memberships').where({ room_nid: roomNid, membership: 'join' }).select('user_id');
    return rows.map((r) => r.user_id);
  }
}
