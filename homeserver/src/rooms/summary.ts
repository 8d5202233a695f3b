// What the directory, the room summary and the space hierarchy say about a room, from its
// current state (`PublishedRoomsChunk` plus the summary's extra keys).
// https://spec.matrix.org/v1.19/client-server-api/#get_matrixclientv1room_summaryroomidoralias
import type { Knex } from 'knex';

export type RoomSummary = {
  room_id: string;
  num_joined_members: number;
  world_readable: boolean;
  guest_can_join: boolean;
  join_rule: string;
  room_version: string;
  name?: string;
  topic?: string;
  avatar_url?: string;
  canonical_alias?: string;
  room_type?: string;
  encryption?: string;
  allowed_room_ids?: string[];
};

const TYPES = [
  'm.room.create',
  'm.room.name',
  'm.room.topic',
  'm.room.avatar',
  'm.room.canonical_alias',
  'm.room.join_rules',
  'm.room.history_visibility',
  'm.room.guest_access',
  'm.room.encryption',
];

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

export class RoomSummaries {
  constructor(private readonly db: Knex) {}

  /** Summaries of the given rooms (by nid); rooms without state are left out. */
  async of(roomNids: number[]): Promise<Map<number, RoomSummary>> {
    const out = new Map<number, RoomSummary>();
    if (roomNids.length === 0) return out;
    const [state, counts, rooms] = await Promise.all([
      this.db('current_state as cs')
        .join('events as e', 'e.stream_ordering', 'cs.event_nid')
        .whereIn('cs.room_nid', roomNids)
        .whereIn('cs.type', TYPES)
        .where('cs.state_key', '')
        .select('cs.room_nid', 'cs.type', 'e.json'),
      this.db('current_memberships').whereIn('room_nid', roomNids).where('membership', 'join').groupBy('room_nid').select('room_nid', this.db.raw('count(*)::int as n')),
      this.db('rooms').whereIn('room_nid', roomNids).select('room_nid', 'room_id', 'room_version'),
    ]);
    const contents = new Map<number, Map<string, Record<string, unknown>>>();
    for (const row of state) {
      const m = contents.get(row.room_nid) ?? new Map();
      m.set(row.type, (JSON.parse(row.json).content ?? {}) as Record<string, unknown>);
      contents.set(row.room_nid, m);
    }
    const joined = new Map(counts.map((r) => [r.room_nid as number, Number(r.n)]));
    for (const room of rooms) {
      const c = contents.get(room.room_nid);
      if (!c?.has('m.room.create')) continue;
      const get = (type: string) => c.get(type) ?? {};
      const joinRule = str(get('m.room.join_rules').join_rule) ?? 'invite';
      const summary: RoomSummary = {
        room_id: room.room_id,
        num_joined_members: joined.get(room.room_nid) ?? 0,
        world_readable: get('m.room.history_visibility').history_visibility === 'world_readable',
        guest_can_join: get('m.room.guest_access').guest_access === 'can_join',
        join_rule: joinRule,
        room_version: room.room_version,
      };
      const name = str(get('m.room.name').name);
      if (name) summary.name = name;
      const topic = topicText(get('m.room.topic'));
      if (topic) summary.topic = topic;
      const avatar = str(get('m.room.avatar').url);
      if (avatar) summary.avatar_url = avatar;
      const alias = str(get('m.room.canonical_alias').alias);
      if (alias) summary.canonical_alias = alias;
      const type = str(get('m.room.create').type);
      if (type) summary.room_type = type;
      const encryption = str(get('m.room.encryption').algorithm);
      if (encryption) summary.encryption = encryption;
      if (joinRule === 'restricted' || joinRule === 'knock_restricted') {
        const allow = get('m.room.join_rules').allow;
        if (Array.isArray(allow)) {
          summary.allowed_room_ids = allow.flatMap((a) => (a && a.type === 'm.room_membership' && typeof a.room_id === 'string' ? [a.room_id] : []));
        }
      }
      out.set(room.room_nid, summary);
    }
    return out;
  }
}

/** The plain-text topic: `topic`, or the text/plain entry of `m.topic`. */
function topicText(content: Record<string, unknown>): string | undefined {
  const rich = (content['m.topic'] as { 'm.text'?: Array<{ body?: unknown; mimetype?: unknown }> } | undefined)?.['m.text'];
  const plain = Array.isArray(rich) ? rich.find((t) => (t.mimetype ?? 'text/plain') === 'text/plain') : undefined;
  return str(content.topic) ?? str(plain?.body);
}

/** The fields a published room chunk carries (the summary without its extra keys). */
export type PublishedChunk = Omit<RoomSummary, 'room_version' | 'encryption' | 'allowed_room_ids'>;

export function publishedChunk(s: RoomSummary): PublishedChunk {
  const { room_version: _v, encryption: _e, allowed_room_ids: _a, ...chunk } = s;
  return chunk;
}
