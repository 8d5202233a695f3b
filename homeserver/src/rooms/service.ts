// Room operations behind the client-server API: creation, membership, sending, reading.
import {
  DEFAULT_ROOM_VERSION,
  Errors,
  MatrixError,
  getRoomVersion,
  isValidRoomAlias,
  isValidUserId,
  matchesEventFilter,
  parseRoomEventFilter,
  stateKey,
  userPowerLevel,
  powerLevelsOf,
  type JsonObject,
  type RoomEventFilter,
} from '@parley/spec';
import type { Knex } from 'knex';
import type { ServerContext } from '../context.js';
import { initialRoomEvents, type CreateRoomRequest } from './create-room.js';
import { EventPipeline, type NewEvent, type PersistedEvent, type TxnKey } from './pipeline.js';
import { EventSerializer, type ClientEvent } from './serialize.js';
import { RoomStore, toStoredEvent, EVENT_COLUMNS, type RoomInfo, type StoredEvent } from './store.js';
import { StreamAllocator, rawConnectionOf } from './stream.js';
import { VisibilityChecker } from './visibility.js';
import { checkStateContent } from './content-checks.js';

/** Where a reader's view of a room ends: now (joined, world readable) or where they left. */
export type ReadAccess = { until: 'now' } | { until: number };

export interface Reader {
  userId: string;
  deviceId?: string;
}

/** A position between two events in topological order: just after (depth, stream). */
export interface TopoToken {
  depth: number;
  stream: number;
}

export function formatTopoToken(t: TopoToken): string {
  return `t${t.depth}_${t.stream}`;
}

/**
 * Parses `/messages` tokens: `t<depth>_<stream>` (ours), or a sync token whose first number is
 * the events stream position (`s123`, `s123_...` or `123`).
 */
export function parsePaginationToken(token: string): TopoToken | { stream: number } | undefined {
  let m = /^t(\d+)_(-?\d+)$/.exec(token);
  if (m) return { depth: Number(m[1]), stream: Number(m[2]) };
  m = /^s?(\d+)/.exec(token);
  if (m) return { stream: Number(m[1]) };
  return undefined;
}

export class RoomService {
  readonly store: RoomStore;
  readonly streams: StreamAllocator;
  readonly pipeline: EventPipeline;
  readonly serializer: EventSerializer;
  readonly visibility: VisibilityChecker;
  readonly db: Knex;
  readonly serverName: string;

  constructor(readonly ctx: ServerContext) {
    this.db = ctx.db;
    this.serverName = ctx.config.server_name;
    this.store = new RoomStore(ctx.db);
    this.streams = new StreamAllocator(rawConnectionOf(ctx.db));
    ctx.onShutdown(() => this.streams.close());
    this.pipeline = new EventPipeline({
      db: ctx.db,
      bus: ctx.bus,
      log: ctx.log,
      serverName: this.serverName,
      signingKey: ctx.signingKey,
      streams: this.streams,
      store: this.store,
    });
    this.serializer = new EventSerializer(ctx.db);
    this.visibility = new VisibilityChecker(ctx.db);
  }

  async profileContent(userId: string): Promise<JsonObject> {
    const row = await this.db('users').where({ user_id: userId }).first('displayname', 'avatar_url').catch(() => undefined);
    const content: JsonObject = {};
    if (row?.displayname) content.displayname = row.displayname;
    if (row?.avatar_url) content.avatar_url = row.avatar_url;
    return content;
  }

  // ---- creation -------------------------------------------------------------------------

  async createRoom(userId: string, req: CreateRoomRequest & { room_version?: string }): Promise<string> {
    const versionId = req.room_version ?? DEFAULT_ROOM_VERSION;
    const version = getRoomVersion(versionId);
    if (!version) throw Errors.unsupportedRoomVersion(versionId);
    let alias: string | undefined;
    if (req.room_alias_name !== undefined) {
      alias = `#${req.room_alias_name}:${this.serverName}`;
      if (req.room_alias_name.includes(':') || !isValidRoomAlias(alias)) throw new MatrixError(400, 'M_INVALID_PARAM', 'invalid room_alias_name');
      if (await this.db('room_aliases').where({ alias }).first()) throw new MatrixError(400, 'M_ROOM_IN_USE', 'Room alias already taken');
    }
    for (const s of req.initial_state ?? []) checkStateContent(s.type, s.state_key ?? '', s.content as JsonObject, version);
    if (req.power_level_content_override) checkStateContent('m.room.power_levels', '', req.power_level_content_override as JsonObject, version);
    const createContent = { ...(req.creation_content ?? {}) } as JsonObject;
    delete createContent.room_version;
    const member = await this.profileContent(userId);
    const { roomId } = await this.pipeline.createRoom(version, userId, createContent, () => initialRoomEvents(userId, version, req, member, alias));
    if (alias) await this.db('room_aliases').insert({ alias, room_id: roomId, creator: userId, created_ts: Date.now() });
    if (req.visibility === 'public') await this.db('rooms').where({ room_id: roomId }).update({ is_public: true });
    return roomId;
  }

  // ---- membership -----------------------------------------------------------------------

  async resolveRoom(roomIdOrAlias: string): Promise<RoomInfo> {
    if (roomIdOrAlias.startsWith('#')) {
      const row = await this.db('room_aliases').where({ alias: roomIdOrAlias }).first('room_id');
      if (!row) throw Errors.notFound('Room alias not found');
      roomIdOrAlias = row.room_id;
    }
    if (!roomIdOrAlias.startsWith('!')) throw Errors.invalidParam('not a room id or alias');
    const room = await this.store.room(roomIdOrAlias);
    // Remote rooms need federation (make_join/send_join), which is not wired in yet.
    if (!room) throw new MatrixError(404, 'M_NOT_FOUND', 'This server is not in that room and federation is not enabled yet');
    return room;
  }

  async setMembership(room: RoomInfo, sender: string, target: string, membership: string, extra: JsonObject = {}): Promise<PersistedEvent> {
    if (!isValidUserId(target)) throw Errors.invalidParam(`invalid user id ${target}`);
    let content: JsonObject = { membership, ...extra };
    if (membership === 'join' || membership === 'knock' || (membership === 'invite' && target === sender)) {
      content = { ...(await this.profileContent(target)), ...content };
    } else if (membership === 'invite') {
      content = { ...(await this.profileContent(target)), ...content };
    }
    return this.pipeline.send(room.roomId, { type: 'm.room.member', state_key: target, sender, content });
  }

  async join(userId: string, roomIdOrAlias: string, reason?: string): Promise<string> {
    const room = await this.resolveRoom(roomIdOrAlias);
    const current = await this.store.membership(room.roomNid, userId);
    if (current.membership === 'join') return room.roomId;
    // Keep is_direct from the invite, as clients expect.
    await this.setMembership(room, userId, userId, 'join', reason ? { reason } : {});
    return room.roomId;
  }

  async forget(userId: string, roomId: string): Promise<void> {
    const room = await this.store.room(roomId);
    if (!room) throw Errors.notFound('Unknown room');
    const m = await this.store.membership(room.roomNid, userId);
    if (m.membership === 'join' || m.membership === 'invite' || m.membership === 'knock') {
      throw new MatrixError(400, 'M_UNKNOWN', 'The user is still in the room: leave it first');
    }
    await this.db('current_memberships').where({ room_nid: room.roomNid, user_id: userId }).update({ forgotten: true });
  }

  // ---- sending --------------------------------------------------------------------------

  async send(reader: Reader, roomId: string, input: Omit<NewEvent, 'sender'>, txn?: Omit<TxnKey, 'userId' | 'deviceId'>): Promise<PersistedEvent> {
    const room = await this.store.requireRoom(roomId).catch(() => {
      throw Errors.forbidden('You are not in this room');
    });
    if (input.state_key !== undefined) checkStateContent(input.type, input.state_key, input.content, room.version);
    if (input.state_key !== undefined && input.type === 'm.room.canonical_alias') await this.checkCanonicalAlias(room, input.content);
    return this.pipeline.send(
      roomId,
      { ...input, sender: reader.userId },
      {
        txn: txn && reader.deviceId ? { ...txn, userId: reader.userId, deviceId: reader.deviceId } : undefined,
        check: input.type === 'm.room.redaction' ? (event, state) => this.checkRedaction(room, reader.userId, input.redacts, state) : undefined,
      },
    );
  }

  private async checkRedaction(room: RoomInfo, userId: string, targetId: string | undefined, state: { get(t: string, k?: string): StoredEvent | undefined }): Promise<void> {
    if (!targetId) return;
    const target = await this.store.eventById(targetId);
    if (!target || target.roomNid !== room.roomNid) throw Errors.notFound('Event not found');
    if (target.sender === userId) return;
    const create = state.get('m.room.create')?.pdu;
    const pl = state.get('m.room.power_levels')?.pdu;
    const levels = powerLevelsOf(pl, room.version);
    if (userPowerLevel(userId, create, pl, room.version) < levels.redact) throw Errors.forbidden("You cannot redact other users' events");
  }

  private async checkCanonicalAlias(room: RoomInfo, content: JsonObject): Promise<void> {
    const aliases = [content.alias, ...(Array.isArray(content.alt_aliases) ? content.alt_aliases : [])].filter((a) => a !== undefined && a !== null);
    for (const alias of aliases) {
      if (typeof alias !== 'string' || !isValidRoomAlias(alias)) throw new MatrixError(400, 'M_INVALID_PARAM', `invalid alias ${String(alias)}`);
      const row = await this.db('room_aliases').where({ alias }).first('room_id');
      if (!row || row.room_id !== room.roomId) throw new MatrixError(400, 'M_BAD_ALIAS', `${alias} does not point to this room`);
    }
  }

  // ---- reading --------------------------------------------------------------------------

  /** How much of a room the reader may read; 403 when nothing. */
  async readAccess(userId: string | undefined, roomId: string): Promise<{ room: RoomInfo; access: ReadAccess }> {
    const room = await this.store.room(roomId);
    if (!room) throw Errors.forbidden('You are not allowed to view this room');
    if (userId) {
      const m = await this.store.membership(room.roomNid, userId);
      if (m.membership === 'join') return { room, access: { until: 'now' } };
      if ((await this.visibility.currentVisibility(room.roomNid)) === 'world_readable') return { room, access: { until: 'now' } };
      if ((m.membership === 'leave' || m.membership === 'ban') && m.eventNid !== null) {
        const everJoined = await this.db('room_memberships').where({ room_nid: room.roomNid, user_id: userId, membership: 'join' }).first('event_nid');
        if (everJoined) return { room, access: { until: m.eventNid } };
      }
    } else if ((await this.visibility.currentVisibility(room.roomNid)) === 'world_readable') {
      return { room, access: { until: 'now' } };
    }
    throw Errors.forbidden('You are not allowed to view this room');
  }

  /** Current state, or the state when the reader left. */
  async readableState(room: RoomInfo, access: ReadAccess): Promise<StoredEvent[]> {
    if (access.until === 'now') return [...(await this.store.currentState(room.roomNid)).values()];
    const [leave] = await this.store.eventsByNids([access.until]);
    return leave ? [...(await this.store.stateAfter(leave)).values()] : [];
  }

  async serialize(reader: Reader | undefined, events: StoredEvent[]): Promise<ClientEvent[]> {
    return this.serializer.serialize(events, { userId: reader?.userId, deviceId: reader?.deviceId });
  }

  /** One event, if the reader may see it (404 otherwise, as the spec asks). */
  async visibleEvent(reader: Reader | undefined, roomId: string, eventId: string): Promise<{ room: RoomInfo; event: StoredEvent }> {
    const { room } = await this.readAccess(reader?.userId, roomId).catch(() => {
      throw Errors.notFound('Event not found');
    });
    const event = await this.store.eventById(eventId);
    if (!event || event.roomNid !== room.roomNid || event.outlier || event.rejected) throw Errors.notFound('Event not found');
    const [visible] = await this.visibility.filter(reader?.userId, room.roomNid, [event]);
    if (!visible) throw Errors.notFound('Event not found');
    return { room, event };
  }

  /**
   * A page of the timeline in topological order. `from`: the gap to start at; backwards returns
   * events at or before it, forwards events after it.
   */
  async paginate(
    reader: Reader | undefined,
    room: RoomInfo,
    access: ReadAccess,
    opts: { from?: string; to?: string; dir: 'b' | 'f'; limit: number; filter?: RoomEventFilter },
  ): Promise<{ chunk: StoredEvent[]; start: string; end?: string }> {
    const toTopo = async (token: string | undefined, fallback: 'start' | 'end'): Promise<TopoToken> => {
      const parsed = token === undefined ? undefined : parsePaginationToken(token);
      if (token !== undefined && !parsed) throw Errors.invalidParam('invalid pagination token');
      if (parsed && 'depth' in parsed) return parsed as TopoToken;
      const q = this.db('events').where({ room_nid: room.roomNid, outlier: false });
      if (parsed) q.where('stream_ordering', '<=', parsed.stream);
      if (!parsed && fallback === 'start') return { depth: 0, stream: 0 };
      const last = await q.orderBy([{ column: 'depth', order: 'desc' }, { column: 'stream_ordering', order: 'desc' }]).first('depth', 'stream_ordering');
      return last ? { depth: Number(last.depth), stream: Number(last.stream_ordering) } : { depth: 0, stream: 0 };
    };
    let from = await toTopo(opts.from, opts.dir === 'b' ? 'end' : 'start');
    const to = opts.to !== undefined ? await toTopo(opts.to, 'start') : undefined;
    const limit = Math.min(Math.max(opts.limit, 0), 1000);
    const start = formatTopoToken(from);
    const chunk: StoredEvent[] = [];
    let exhausted = false;
    let rounds = 0;
    while (chunk.length < limit && !exhausted && rounds++ < 20) {
      const batch = Math.max(limit - chunk.length, 10) + 10;
      const q = this.db('events as e')
        .join('rooms as r', 'r.room_nid', 'e.room_nid')
        .where('e.room_nid', room.roomNid)
        .where('e.outlier', false)
        .whereNull('e.rejected_reason')
        .where('e.soft_failed', false)
        .select(EVENT_COLUMNS)
        .limit(batch);
      if (opts.dir === 'b') {
        q.whereRaw('(e.depth, e.stream_ordering) <= (?, ?)', [from.depth, from.stream]);
        if (to) q.whereRaw('(e.depth, e.stream_ordering) > (?, ?)', [to.depth, to.stream]);
        q.orderBy([{ column: 'e.depth', order: 'desc' }, { column: 'e.stream_ordering', order: 'desc' }]);
      } else {
        q.whereRaw('(e.depth, e.stream_ordering) > (?, ?)', [from.depth, from.stream]);
        if (to) q.whereRaw('(e.depth, e.stream_ordering) <= (?, ?)', [to.depth, to.stream]);
        q.orderBy([{ column: 'e.depth', order: 'asc' }, { column: 'e.stream_ordering', order: 'asc' }]);
      }
      if (access.until !== 'now') q.where('e.stream_ordering', '<=', access.until);
      if (opts.filter?.types && !opts.filter.types.some((t) => t.includes('*'))) q.whereIn('e.type', opts.filter.types);
      if (opts.filter?.senders) q.whereIn('e.sender', opts.filter.senders);
      const rows = (await q).map(toStoredEvent);
      if (rows.length < batch) exhausted = true;
      if (rows.length === 0) break;
      const last = rows[rows.length - 1];
      from = opts.dir === 'b' ? { depth: last.depth, stream: last.nid - 1 } : { depth: last.depth, stream: last.nid };
      const visible = await this.visibility.filter(reader?.userId, room.roomNid, rows.filter((e) => matchesEventFilter(opts.filter, { type: e.type, sender: e.sender, content: e.pdu.content })));
      for (const e of visible) {
        if (chunk.length === limit) {
          // Stop just after the last returned event.
          const prev = chunk[chunk.length - 1];
          from = opts.dir === 'b' ? { depth: prev.depth, stream: prev.nid - 1 } : { depth: prev.depth, stream: prev.nid };
          exhausted = false;
          break;
        }
        chunk.push(e);
      }
    }
    return { chunk, start, end: exhausted && chunk.length < limit ? undefined : formatTopoToken(from) };
  }

  parseFilter(filter: string | undefined): RoomEventFilter | undefined {
    if (filter === undefined) return undefined;
    const parsed = parseRoomEventFilter(filter);
    if (!parsed) throw Errors.invalidParam('filter is not a valid RoomEventFilter');
    return parsed;
  }

  /** Member events for the senders of `events` (lazy-loading members). */
  async memberEventsFor(room: RoomInfo, events: StoredEvent[]): Promise<StoredEvent[]> {
    const senders = [...new Set(events.map((e) => e.sender))];
    const state = await this.store.currentState(room.roomNid, senders.map((s) => ['m.room.member', s] as [string, string]));
    return [...state.values()];
  }

  stateKeyOf(type: string, key: string): string {
    return stateKey(type, key);
  }
}
