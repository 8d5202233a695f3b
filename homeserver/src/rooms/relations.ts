// Child events of an event (/relations) and thread roots (/threads).
// https://spec.matrix.org/v1.19/client-server-api/#relationships-api
// https://spec.matrix.org/v1.19/client-server-api/#querying-threads-in-a-room
// Redacted events lose their event_relations row (pipeline.ts), so they drop out of both.
import { Errors } from '@parley/spec';
import type { Knex } from 'knex';
import { parsePaginationToken, type ReadAccess, type Reader, type RoomService } from './service.js';
import { EVENT_COLUMNS, toStoredEvent, type RoomInfo, type StoredEvent } from './store.js';

/** How many levels `recurse=true` follows (the spec asks for at least 3). */
export const MAX_RELATION_DEPTH = 3;
const MAX_LIMIT = 100;

/** Our tokens are `r<stream>`; /messages and /sync tokens are accepted too. */
function streamOf(token: string): number {
  const m = /^r(\d+)$/.exec(token);
  if (m) return Number(m[1]);
  const parsed = parsePaginationToken(token);
  if (!parsed) throw Errors.invalidParam('invalid pagination token');
  return parsed.stream;
}

export interface RelationsQuery {
  relType?: string;
  eventType?: string;
  from?: string;
  to?: string;
  limit?: number;
  dir?: 'b' | 'f';
  recurse?: boolean;
}

export class RelationsService {
  private readonly db: Knex;

  constructor(private readonly rooms: RoomService) {
    this.db = rooms.db;
  }

  async relations(reader: Reader, room: RoomInfo, access: ReadAccess, parentId: string, q: RelationsQuery): Promise<{ chunk: StoredEvent[]; next_batch?: string; recursion_depth?: number }> {
    const dir = q.dir ?? 'b';
    const limit = Math.min(Math.max(q.limit ?? 50, 1), MAX_LIMIT);
    const depth = q.recurse ? MAX_RELATION_DEPTH : 1;
    const tree = this.db.raw(
      `WITH RECURSIVE tree(event_nid, event_id, level) AS (
         SELECT r.event_nid, c.event_id, 1 FROM event_relations r JOIN events c ON c.stream_ordering = r.event_nid
          WHERE r.relates_to_id = ? AND r.room_nid = ?
         UNION
         SELECT r.event_nid, c.event_id, t.level + 1 FROM tree t
           JOIN event_relations r ON r.relates_to_id = t.event_id AND r.room_nid = ?
           JOIN events c ON c.stream_ordering = r.event_nid
          WHERE t.level < ?
       ) SELECT event_nid, min(level) AS level FROM tree GROUP BY event_nid`,
      [parentId, room.roomNid, room.roomNid, depth],
    );
    const query = this.db('events as e')
      .join('rooms as r', 'r.room_nid', 'e.room_nid')
      .join(this.db.raw('(?) as t', [tree]), 't.event_nid', 'e.stream_ordering')
      .join('event_relations as rel', 'rel.event_nid', 'e.stream_ordering')
      .where('e.outlier', false)
      .whereNull('e.rejected_reason')
      .where('e.soft_failed', false)
      .select([...EVENT_COLUMNS, 't.level'])
      .orderBy('e.stream_ordering', dir === 'b' ? 'desc' : 'asc')
      .limit(limit + 1);
    if (q.relType) query.where('rel.rel_type', q.relType);
    if (q.eventType) query.where('e.type', q.eventType);
    if (access.until !== 'now') query.where('e.stream_ordering', '<=', access.until);
    if (q.from !== undefined) query.where('e.stream_ordering', dir === 'b' ? '<=' : '>', streamOf(q.from));
    if (q.to !== undefined) query.where('e.stream_ordering', dir === 'b' ? '>' : '<=', streamOf(q.to));
    const rows = await query;
    const more = rows.length > limit;
    const page = rows.slice(0, limit);
    const events = page.map(toStoredEvent);
    const chunk = await this.rooms.visibility.filter(reader.userId, room.roomNid, events);
    const out: { chunk: StoredEvent[]; next_batch?: string; recursion_depth?: number } = { chunk };
    if (more) {
      const last = events[events.length - 1].nid;
      out.next_batch = `r${dir === 'b' ? last - 1 : last}`;
    }
    if (q.recurse) out.recursion_depth = page.reduce((m, r) => Math.max(m, Number(r.level)), 0);
    return out;
  }

  /** Thread roots by latest activity, newest first. Tokens: `r<stream of the latest reply>` exclusive. */
  async threadRoots(reader: Reader, room: RoomInfo, access: ReadAccess, opts: { include: 'all' | 'participated'; limit?: number; from?: string }): Promise<{ chunk: StoredEvent[]; next_batch?: string }> {
    const limit = Math.min(Math.max(opts.limit ?? 20, 1), MAX_LIMIT);
    const threads = this.db('event_relations as rel')
      .join('events as c', 'c.stream_ordering', 'rel.event_nid')
      .where({ 'rel.room_nid': room.roomNid, 'rel.rel_type': 'm.thread' })
      .where('c.outlier', false)
      .whereNull('c.rejected_reason')
      .groupBy('rel.relates_to_id')
      .select('rel.relates_to_id', this.db.raw('max(rel.event_nid) as latest'), this.db.raw('bool_or(c.sender = ?) as participated', [reader.userId]));
    if (access.until !== 'now') threads.where('rel.event_nid', '<=', access.until);
    const q = this.db('events as e')
      .join('rooms as r', 'r.room_nid', 'e.room_nid')
      .join(this.db.raw('(?) as th', [threads]), 'th.relates_to_id', 'e.event_id')
      .where('e.room_nid', room.roomNid)
      .select([...EVENT_COLUMNS, 'th.latest'])
      .orderBy('th.latest', 'desc')
      .limit(limit + 1);
    if (opts.include === 'participated') q.where((w) => w.where('th.participated', true).orWhere('e.sender', reader.userId));
    if (opts.from !== undefined) q.where('th.latest', '<', streamOf(opts.from));
    const rows = await q;
    const more = rows.length > limit;
    const page = rows.slice(0, limit);
    const chunk = await this.rooms.visibility.filter(reader.userId, room.roomNid, page.map(toStoredEvent));
    return more ? { chunk, next_batch: `r${page[page.length - 1].latest}` } : { chunk };
  }
}
