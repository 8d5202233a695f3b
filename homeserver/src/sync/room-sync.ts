// One room's section of a sync response: timeline (with limited / prev_batch), the state before
// the timeline, summary and unread counts. https://spec.matrix.org/v1.19/client-server-api/#get_matrixclientv3sync
import { matchesEventFilter, splitStateKey, stateKey, type RoomEventFilter, type StateKey } from '@parley/spec';
import type { Knex } from 'knex';
import type { RoomService } from '../rooms/service.js';
import { formatTopoToken } from '../rooms/service.js';
import { EVENT_COLUMNS, toStoredEvent, type StoredEvent } from '../rooms/store.js';
import type { SyncCaches } from './caches.js';

export const DEFAULT_TIMELINE_LIMIT = 10;
const MAX_TIMELINE_LIMIT = 100;

export interface RoomWindow {
  roomId: string;
  roomNid: number;
  /** Events after this position are new to the client (0: everything is). */
  from: number;
  upTo: number;
  /** The client gets the full state before the timeline (initial, newly joined, full_state). */
  fullState: boolean;
  /** Nid of the user's latest join: events after it are always visible to them. */
  joinedAt: number;
}

export interface TimelineResult {
  events: StoredEvent[];
  limited: boolean;
  prevBatch?: string;
}

export class RoomSyncReader {
  constructor(
    private readonly db: Knex,
    private readonly rooms: RoomService,
    private readonly caches: SyncCaches,
  ) {}

  /** The last `limit` visible events in (from, upTo], oldest first. */
  async timeline(userId: string, w: RoomWindow, filter: RoomEventFilter | undefined, ignored: Set<string>): Promise<TimelineResult> {
    const limit = Math.min(Math.max(filter?.limit ?? DEFAULT_TIMELINE_LIMIT, 0), MAX_TIMELINE_LIMIT);
    const keep = (events: StoredEvent[]) => events.filter((e) => matchesEventFilter(filter, { type: e.type, sender: e.sender, content: e.pdu.content }));
    // Most syncs are answered from the room's recent events, shared by everyone in the room.
    const recent = await this.caches.recentEvents(w.roomNid, w.from, w.upTo);
    if (recent.events.length > 0 || recent.complete) {
      const older = recent.events.some((e) => e.nid < w.joinedAt);
      const visible = older
        ? await this.rooms.visibility.filter(userId, w.roomNid, recent.events)
        : recent.events.filter((e) => e.stateKey !== null || !ignored.has(e.sender));
      const kept = keep(visible);
      if (recent.complete || kept.length > limit) return this.result(kept.slice(-limit), kept.length > limit, w);
    }
    const collected: StoredEvent[] = [];
    let cursor = w.upTo;
    let more = true;
    for (let round = 0; round < 5 && collected.length <= limit && more; round++) {
      const batch = limit + 1 - collected.length + (round ? 20 : 0);
      const rows = await this.db('events as e')
        .join('rooms as r', 'r.room_nid', 'e.room_nid')
        .where('e.room_nid', w.roomNid)
        .where('e.stream_ordering', '>', w.from)
        .where('e.stream_ordering', '<=', cursor)
        .where({ 'e.outlier': false, 'e.soft_failed': false })
        .whereNull('e.rejected_reason')
        .orderBy('e.stream_ordering', 'desc')
        .limit(batch)
        .select(EVENT_COLUMNS);
      if (rows.length < batch) more = false;
      if (rows.length === 0) break;
      let events = rows.map(toStoredEvent);
      cursor = events[events.length - 1].nid - 1;
      const older = events.some((e) => e.nid < w.joinedAt);
      events = older ? await this.rooms.visibility.filter(userId, w.roomNid, events) : events.filter((e) => e.stateKey !== null || !ignored.has(e.sender));
      collected.push(...keep(events));
    }
    const limited = collected.length > limit || (more && collected.length >= limit);
    return this.result(collected.slice(0, limit).reverse(), limited, w);
  }

  private result(events: StoredEvent[], limited: boolean, w: RoomWindow): TimelineResult {
    let prevBatch: string | undefined;
    if (events.length) prevBatch = formatTopoToken({ depth: events[0].depth, stream: events[0].nid - 1 });
    else if (w.upTo > 0) prevBatch = `s${w.upTo}`;
    return { events, limited, prevBatch };
  }

  /**
   * State before the timeline. Full: the current state rewound past the timeline's state events.
   * Incremental: the state events between `from` and the timeline (latest per key).
   */
  async stateBefore(
    w: RoomWindow,
    timeline: StoredEvent[],
    limited: boolean,
    lazyMembers: Set<string> | undefined,
    currentState?: Map<StateKey, StoredEvent>,
  ): Promise<StoredEvent[]> {
    const first = timeline[0]?.nid ?? w.upTo + 1;
    let state: Map<StateKey, StoredEvent>;
    if (w.fullState) {
      state = new Map(currentState ?? (await this.rooms.store.currentState(w.roomNid)));
      // Undo state changes made after the timeline started (newest first), if there are any.
      const after = [...state.values()].some((e) => e.nid >= first);
      const changed = !after ? [] : await this.db('events')
        .where({ room_nid: w.roomNid, outlier: false })
        .whereNotNull('state_key')
        .where('stream_ordering', '>=', first)
        .whereNull('rejected_reason')
        .orderBy('stream_ordering', 'desc')
        .select('stream_ordering', 'type', 'state_key', 'replaces_state');
      const replaced = changed.map((c) => Number(c.replaces_state)).filter((n) => n > 0);
      const prev = new Map((await this.rooms.store.eventsByNids(replaced)).map((e) => [e.nid, e]));
      for (const c of changed) {
        const key = stateKey(c.type, c.state_key);
        if (state.get(key)?.nid !== Number(c.stream_ordering)) continue;
        const before = c.replaces_state ? prev.get(Number(c.replaces_state)) : undefined;
        if (before) state.set(key, before);
        else state.delete(key);
      }
    } else if (limited) {
      const rows = await this.db('events as e')
        .join('rooms as r', 'r.room_nid', 'e.room_nid')
        .where('e.room_nid', w.roomNid)
        .whereNotNull('e.state_key')
        .where('e.stream_ordering', '>', w.from)
        .where('e.stream_ordering', '<', first)
        .where({ 'e.outlier': false, 'e.soft_failed': false })
        .whereNull('e.rejected_reason')
        .orderBy('e.stream_ordering')
        .select(EVENT_COLUMNS);
      state = new Map(rows.map((r) => toStoredEvent(r)).map((e) => [stateKey(e.type, e.stateKey!), e]));
    } else {
      state = new Map();
    }
    if (lazyMembers) {
      for (const key of [...state.keys()]) {
        const [type, sk] = splitStateKey(key);
        if (type === 'm.room.member' && !lazyMembers.has(sk)) state.delete(key);
      }
      if (!w.fullState) {
        // Incremental: the members of new senders come from the state at the timeline start.
        const missing = [...lazyMembers].filter((u) => !state.has(stateKey('m.room.member', u)) && !timeline.some((e) => e.type === 'm.room.member' && e.stateKey === u));
        if (missing.length) {
          const current = await this.rooms.store.currentState(w.roomNid, missing.map((u) => ['m.room.member', u] as [string, string]));
          for (const [k, e] of current) if (e.nid < first) state.set(k, e);
        }
      }
    }
    return [...state.values()].sort((a, b) => a.nid - b.nid);
  }

  /** The current state of several rooms in one read. */
  async currentStates(roomNids: readonly number[]): Promise<Map<number, Map<StateKey, StoredEvent>>> {
    const out = new Map<number, Map<StateKey, StoredEvent>>(roomNids.map((n) => [n, new Map()]));
    if (roomNids.length === 0) return out;
    const rows = await this.db('events as e')
      .join('rooms as r', 'r.room_nid', 'e.room_nid')
      .join('current_state as cs', 'cs.event_nid', 'e.stream_ordering')
      .whereIn('cs.room_nid', roomNids)
      .select(EVENT_COLUMNS);
    for (const row of rows) {
      const e = toStoredEvent(row);
      out.get(e.roomNid)?.set(stateKey(e.type, e.stateKey ?? ''), e);
    }
    return out;
  }

  /** Summaries of several rooms in one read. */
  async summaries(userId: string, roomNids: readonly number[]): Promise<Map<number, Summary>> {
    const rows: Array<{ room_nid: number; user_id: string; membership: string }> = roomNids.length
      ? await this.db('current_memberships').whereIn('room_nid', roomNids).whereIn('membership', ['join', 'invite', 'leave', 'ban']).select('room_nid', 'user_id', 'membership')
      : [];
    const byRoom = new Map<number, Array<{ user_id: string; membership: string }>>(roomNids.map((n) => [n, []]));
    for (const r of rows) byRoom.get(r.room_nid)?.push(r);
    return new Map([...byRoom].map(([nid, members]) => [nid, summaryOf(userId, members)]));
  }

  /** https://spec.matrix.org/v1.19/client-server-api/#_matrixclientv3sync_roomsummary */
  async summary(userId: string, roomNid: number): Promise<Summary> {
    return (await this.summaries(userId, [roomNid])).get(roomNid)!;
  }

  /** Stripped state for invites and knocks: https://spec.matrix.org/v1.19/client-server-api/#stripped-state */
  async strippedState(roomNid: number, membershipEvent: StoredEvent | undefined): Promise<Array<{ type: string; state_key: string; sender: string; content: unknown }>> {
    const keys: Array<[string, string]> = [
      ['m.room.create', ''],
      ['m.room.join_rules', ''],
      ['m.room.name', ''],
      ['m.room.avatar', ''],
      ['m.room.canonical_alias', ''],
      ['m.room.encryption', ''],
      ['m.room.topic', ''],
    ];
    const state = await this.rooms.store.currentState(roomNid, keys);
    const events = [...state.values()];
    if (membershipEvent) events.push(membershipEvent);
    return events.map((e) => ({ type: e.type, state_key: e.stateKey ?? '', sender: e.sender, content: e.pdu.content }));
  }
}

export type Summary = { 'm.heroes': string[]; 'm.joined_member_count': number; 'm.invited_member_count': number };

function summaryOf(userId: string, members: Array<{ user_id: string; membership: string }>): Summary {
  const joined = members.filter((m) => m.membership === 'join').length;
  const invited = members.filter((m) => m.membership === 'invite').length;
  const others = (states: string[]) =>
    members
      .filter((m) => m.user_id !== userId && states.includes(m.membership))
      .map((m) => m.user_id)
      .sort()
      .slice(0, 5);
  let heroes = others(['join', 'invite']);
  if (heroes.length === 0) heroes = others(['leave', 'ban']);
  return { 'm.heroes': heroes, 'm.joined_member_count': joined, 'm.invited_member_count': invited };
}
