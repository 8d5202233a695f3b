// Server side search over message bodies, room names and topics with Postgres full text
// search (the events_search index of the rooms migration; redacted events are outside it).
// https://spec.matrix.org/v1.19/client-server-api/#server-side-search
import { Errors, matchesEventFilter, type JsonObject, type RoomEventFilter } from '@parley/spec';
import type { Knex } from 'knex';
import type { ClientEvent } from './serialize.js';
import type { ReadAccess, Reader, RoomService } from './service.js';
import { EVENT_COLUMNS, toStoredEvent, type RoomInfo, type StoredEvent } from './store.js';

/** Must stay identical to the expression of the events_search index. */
const DOCUMENT = `to_tsvector('simple', coalesce((e.json::jsonb)->'content'->>'body', '') || ' ' ||
                            coalesce((e.json::jsonb)->'content'->>'name', '') || ' ' ||
                            coalesce((e.json::jsonb)->'content'->>'topic', ''))`;
const KEY_TYPES: Record<string, string> = { 'content.body': 'm.room.message', 'content.name': 'm.room.name', 'content.topic': 'm.room.topic' };
const MAX_LIMIT = 100;

export interface SearchCriteria {
  search_term: string;
  keys?: string[];
  filter?: RoomEventFilter;
  order_by?: 'recent' | 'rank';
  event_context?: { before_limit?: number; after_limit?: number; include_profile?: boolean };
  include_state?: boolean;
  groupings?: { group_by?: Array<{ key?: 'room_id' | 'sender' }> };
}

interface Hit {
  event: StoredEvent;
  rank: number;
}

type Position = { rank?: number; nid: number };

function parseToken(token: string, order: 'recent' | 'rank'): Position {
  const m = order === 'rank' ? /^k([0-9.eE+-]+)_(\d+)$/.exec(token) : /^r(\d+)$/.exec(token);
  if (!m) throw Errors.invalidParam('invalid next_batch token');
  return order === 'rank' ? { rank: Number(m[1]), nid: Number(m[2]) } : { nid: Number(m[1]) };
}

function formatToken(p: Position): string {
  return p.rank !== undefined ? `k${p.rank}_${p.nid}` : `r${p.nid}`;
}

/** Words of the search term as prefix matches ANDed together (letters and digits only, so safe to splice). */
export function searchWords(term: string): string[] {
  return [...new Set(term.toLowerCase().match(/[\p{L}\p{N}_]+/gu) ?? [])];
}

export class SearchService {
  private readonly db: Knex;

  constructor(private readonly rooms: RoomService) {
    this.db = rooms.db;
  }

  /** The rooms the user has been in, each with how far they may read. */
  private async searchableRooms(userId: string, filter: RoomEventFilter | undefined): Promise<Array<{ room: RoomInfo; access: ReadAccess }>> {
    const rows = await this.db('room_memberships as m').join('rooms as r', 'r.room_nid', 'm.room_nid').where({ 'm.user_id': userId, 'm.membership': 'join' }).distinct('r.room_id');
    const out: Array<{ room: RoomInfo; access: ReadAccess }> = [];
    for (const { room_id: roomId } of rows) {
      if (filter?.rooms && !filter.rooms.includes(roomId)) continue;
      if (filter?.not_rooms?.includes(roomId)) continue;
      const allowed = await this.rooms.readAccess(userId, roomId).catch(() => undefined);
      if (allowed) out.push(allowed);
    }
    return out;
  }

  async search(reader: Reader, criteria: SearchCriteria, nextBatch: string | undefined) {
    const order = criteria.order_by ?? 'rank';
    const filter = criteria.filter;
    const limit = Math.min(Math.max(filter?.limit ?? 10, 1), MAX_LIMIT);
    const words = searchWords(criteria.search_term);
    const empty = { count: 0, highlights: [], results: [] };
    if (words.length === 0) return empty;
    const query = words.map((w) => `${w}:*`).join(' & ');
    const rooms = await this.searchableRooms(reader.userId, filter);
    if (rooms.length === 0) return empty;
    const byNid = new Map(rooms.map((r) => [r.room.roomNid, r]));
    const types = (criteria.keys?.length ? criteria.keys : Object.keys(KEY_TYPES)).map((k) => KEY_TYPES[k]);

    const base = () => {
      const q = this.db('events as e')
        .join('rooms as r', 'r.room_nid', 'e.room_nid')
        .whereIn('e.type', types)
        .whereNull('e.redacted_by')
        .where('e.outlier', false)
        .whereNull('e.rejected_reason')
        .whereRaw(`${DOCUMENT} @@ to_tsquery('simple', ?)`, [query])
        .where((w) => {
          const now = rooms.filter((r) => r.access.until === 'now').map((r) => r.room.roomNid);
          if (now.length) w.orWhereIn('e.room_nid', now);
          for (const r of rooms) if (r.access.until !== 'now') w.orWhere((x) => x.where('e.room_nid', r.room.roomNid).where('e.stream_ordering', '<=', r.access.until as number));
        });
      if (filter?.senders) q.whereIn('e.sender', filter.senders);
      if (filter?.not_senders?.length) q.whereNotIn('e.sender', filter.not_senders);
      return q;
    };

    const countRow = await base().count<{ n: string }[]>({ n: '*' });
    const hits: Hit[] = [];
    let from = nextBatch !== undefined ? parseToken(nextBatch, order) : undefined;
    let exhausted = false;
    for (let round = 0; hits.length < limit && !exhausted && round < 10; round++) {
      const batch = limit * 2 + 10;
      const q = base()
        .select([...EVENT_COLUMNS, this.db.raw(`ts_rank(${DOCUMENT}, to_tsquery('simple', ?))::float8 as rank`, [query])])
        .limit(batch);
      if (order === 'rank') {
        if (from) q.whereRaw(`(ts_rank(${DOCUMENT}, to_tsquery('simple', ?))::float8, e.stream_ordering) < (?, ?)`, [query, from.rank!, from.nid]);
        q.orderByRaw('rank desc, e.stream_ordering desc');
      } else {
        if (from) q.where('e.stream_ordering', '<', from.nid);
        q.orderBy('e.stream_ordering', 'desc');
      }
      const rows = await q;
      if (rows.length < batch) exhausted = true;
      if (rows.length === 0) break;
      const candidates = rows.map((row) => ({ event: toStoredEvent(row), rank: Number(row.rank) }));
      const visible = new Set<number>();
      const perRoom = new Map<number, StoredEvent[]>();
      for (const c of candidates) {
        if (!matchesEventFilter(filter, { type: c.event.type, sender: c.event.sender, room_id: c.event.roomId, content: c.event.pdu.content })) continue;
        perRoom.set(c.event.roomNid, [...(perRoom.get(c.event.roomNid) ?? []), c.event]);
      }
      for (const [roomNid, events] of perRoom) for (const e of await this.rooms.visibility.filter(reader.userId, roomNid, events)) visible.add(e.nid);
      const last = candidates[candidates.length - 1];
      from = { rank: order === 'rank' ? last.rank : undefined, nid: last.event.nid };
      for (const c of candidates) {
        if (!visible.has(c.event.nid)) continue;
        if (hits.length === limit) {
          const prev = hits[hits.length - 1];
          from = { rank: order === 'rank' ? prev.rank : undefined, nid: prev.event.nid };
          exhausted = false;
          break;
        }
        hits.push(c);
      }
    }

    const serialized = await this.rooms.serialize(reader, hits.map((h) => h.event));
    const results = [];
    for (const [i, h] of hits.entries()) {
      const entry: JsonObject = { rank: h.rank, result: serialized[i] as unknown as JsonObject };
      if (criteria.event_context) entry.context = (await this.context(reader, byNid.get(h.event.roomNid)!, h.event, criteria.event_context)) as unknown as JsonObject;
      results.push(entry);
    }
    const out: Record<string, unknown> = { count: Number(countRow[0].n), highlights: words, results };
    if (!exhausted && hits.length > 0) out.next_batch = formatToken(from!);
    if (criteria.include_state) {
      const state: Record<string, ClientEvent[]> = {};
      for (const nid of new Set(hits.map((h) => h.event.roomNid))) {
        const { room, access } = byNid.get(nid)!;
        state[room.roomId] = await this.rooms.serializer.serialize(await this.rooms.readableState(room, access), { bundleAggregations: false });
      }
      out.state = state;
    }
    const groupBy = criteria.groupings?.group_by?.map((g) => g.key).filter((k): k is 'room_id' | 'sender' => k === 'room_id' || k === 'sender');
    if (groupBy?.length) {
      const groups: Record<string, Record<string, { order: number; results: string[] }>> = {};
      for (const key of groupBy) {
        const g: Record<string, { order: number; results: string[] }> = {};
        for (const h of hits) {
          const k = key === 'room_id' ? h.event.roomId : h.event.sender;
          g[k] ??= { order: Object.keys(g).length + 1, results: [] };
          g[k].results.push(h.event.eventId);
        }
        groups[key] = g;
      }
      out.groups = groups;
    }
    return out;
  }

  private async context(reader: Reader, where: { room: RoomInfo; access: ReadAccess }, event: StoredEvent, opts: NonNullable<SearchCriteria['event_context']>) {
    const { room, access } = where;
    const before = await this.rooms.paginate(reader, room, access, { from: `t${event.depth}_${event.nid - 1}`, dir: 'b', limit: Math.min(opts.before_limit ?? 5, 50) });
    const after = await this.rooms.paginate(reader, room, access, { from: `t${event.depth}_${event.nid}`, dir: 'f', limit: Math.min(opts.after_limit ?? 5, 50) });
    const ctx: Record<string, unknown> = {
      events_before: await this.rooms.serialize(reader, before.chunk),
      events_after: await this.rooms.serialize(reader, after.chunk),
      start: before.end ?? before.start,
      end: after.end ?? after.start,
    };
    if (opts.include_profile !== false) {
      const senders = [...new Set([event, ...before.chunk, ...after.chunk].map((e) => e.sender))];
      const state = await this.rooms.store.stateAfter(event);
      const profiles: Record<string, { displayname?: string; avatar_url?: string }> = {};
      for (const s of senders) {
        const member = [...state.values()].find((e) => e.type === 'm.room.member' && e.stateKey === s);
        const c = (member?.pdu.content ?? {}) as { displayname?: unknown; avatar_url?: unknown };
        profiles[s] = {
          ...(typeof c.displayname === 'string' ? { displayname: c.displayname } : {}),
          ...(typeof c.avatar_url === 'string' ? { avatar_url: c.avatar_url } : {}),
        };
      }
      ctx.profile_info = profiles;
    }
    return ctx;
  }
}
