// Which events a user may see: history visibility and ignored users.
// https://spec.matrix.org/v1.19/client-server-api/#history-visibility
//
// The visibility and the user's membership "at an event" are read from the room's history of
// m.room.history_visibility and membership events ordered by stream position, which is exact
// for the linear histories local rooms have; forked histories from federation would need the
// state groups instead.
import type { Knex } from 'knex';
import type { StoredEvent } from './store.js';

export type HistoryVisibilityValue = 'world_readable' | 'shared' | 'invited' | 'joined';

interface Change<T> {
  nid: number;
  value: T;
}

function valueAt<T>(changes: Change<T>[], nid: number, fallback: T): T {
  let value = fallback;
  for (const c of changes) {
    if (c.nid > nid) break;
    value = c.value;
  }
  return value;
}

function asVisibility(json: string): HistoryVisibilityValue {
  const v = (JSON.parse(json).content ?? {}).history_visibility;
  return v === 'world_readable' || v === 'invited' || v === 'joined' ? v : 'shared';
}

export class VisibilityChecker {
  constructor(private readonly db: Knex) {}

  async visibilityChanges(roomNid: number): Promise<Change<HistoryVisibilityValue>[]> {
    const rows = await this.db('events')
      .where({ room_nid: roomNid, type: 'm.room.history_visibility', state_key: '', outlier: false })
      .whereNull('rejected_reason')
      .whereNotNull('state_key')
      .orderBy('stream_ordering')
      .select('stream_ordering', 'json');
    return rows.map((r) => ({ nid: Number(r.stream_ordering), value: asVisibility(r.json) }));
  }

  async membershipChanges(roomNid: number, userId: string): Promise<Change<string>[]> {
    const rows = await this.db('room_memberships').where({ room_nid: roomNid, user_id: userId }).orderBy('event_nid').select('event_nid', 'membership');
    return rows.map((r) => ({ nid: Number(r.event_nid), value: r.membership }));
  }

  /** The current history visibility of a room. */
  async currentVisibility(roomNid: number): Promise<HistoryVisibilityValue> {
    const changes = await this.visibilityChanges(roomNid);
    return changes.length ? changes[changes.length - 1].value : 'shared';
  }

  async ignoredUsers(userId: string): Promise<Set<string>> {
    const row = await this.db('account_data').where({ user_id: userId, room_id: '', type: 'm.ignored_user_list' }).first('content');
    const ignored = row?.content?.ignored_users;
    return new Set(ignored && typeof ignored === 'object' ? Object.keys(ignored) : []);
  }

  /**
   * A user's membership changes and the room's history visibility changes in one round trip:
   * what deciding whether they may read the room at all needs.
   */
  async accessInputs(userId: string | undefined, roomNid: number): Promise<AccessInputs> {
    const { rows } = await this.db.raw(
      `SELECT 'v' AS kind, e.stream_ordering AS nid, e.json AS value FROM events e
        WHERE e.room_nid = ? AND e.type = 'm.room.history_visibility' AND e.state_key = '' AND NOT e.outlier AND e.rejected_reason IS NULL
       UNION ALL
       SELECT 'm', m.event_nid, m.membership FROM room_memberships m WHERE m.room_nid = ? AND m.user_id = ?
       ORDER BY nid`,
      [roomNid, roomNid, userId ?? ''],
    );
    const out: AccessInputs = { userId, visibility: [], memberships: [] };
    for (const r of rows as Array<{ kind: string; nid: number; value: string }>) {
      if (r.kind === 'v') out.visibility.push({ nid: Number(r.nid), value: asVisibility(r.value) });
      else out.memberships.push({ nid: Number(r.nid), value: r.value });
    }
    return out;
  }

  /** What deciding visibility in one room for one user needs (fetched once per request). */
  async prepare(userId: string | undefined, roomNid: number): Promise<VisibilityInputs> {
    const [access, ignored] = await Promise.all([
      this.accessInputs(userId, roomNid),
      userId ? this.ignoredUsers(userId) : Promise.resolve(new Set<string>()),
    ]);
    return { ...access, ignored };
  }

  /**
   * The events (all from one room) the user may see, in the given order. `userId` undefined:
   * an unauthenticated reader (world_readable only).
   */
  async filter(userId: string | undefined, roomNid: number, events: StoredEvent[]): Promise<StoredEvent[]> {
    if (events.length === 0) return events;
    return visibleEvents(await this.prepare(userId, roomNid), events);
  }
}

export interface AccessInputs {
  userId: string | undefined;
  visibility: Change<HistoryVisibilityValue>[];
  memberships: Change<string>[];
}

export interface VisibilityInputs extends AccessInputs {
  ignored: Set<string>;
}

export function visibleEvents(inputs: VisibilityInputs, events: StoredEvent[]): StoredEvent[] {
  const { userId, visibility, memberships, ignored } = inputs;
  const current = memberships.length ? memberships[memberships.length - 1].value : 'leave';
  let lastJoin = -1;
  for (const m of memberships) if (m.value === 'join') lastJoin = m.nid;
  return events.filter((e) => {
    if (e.stateKey === null && ignored.has(e.sender)) return false;
    if (userId && e.type === 'm.room.member' && e.stateKey === userId) return true;
    const hv = valueAt(visibility, e.type === 'm.room.history_visibility' ? e.nid - 1 : e.nid, 'shared' as HistoryVisibilityValue);
    if (hv === 'world_readable') return true;
    if (!userId) return false;
    const at = valueAt(memberships, e.nid, 'leave');
    if (at === 'join') return true;
    if (hv === 'shared' && (current === 'join' || lastJoin > e.nid)) return true;
    if (hv === 'invited' && (at === 'invite' || current === 'join' && lastJoin > e.nid)) return true;
    return false;
  });
}
