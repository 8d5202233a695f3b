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
import { RoomStore, type RoomInfo, type StoredEvent, type TimelineQuery } from './store.js';
import { StreamAllocator, rawConnectionOf } from './stream.js';
import { VisibilityChecker, visibleEvents, type AccessInputs, type VisibilityInputs } from './visibility.js';
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

/** How far a user may read a room, from their membership history and the room's visibility. */
export function accessOf(inputs: AccessInputs): ReadAccess {
  const { userId, memberships, visibility } = inputs;
  const worldReadable = visibility.length > 0 && visibility[visibility.length - 1].value === 'world_readable';
  const current = memberships[memberships.length - 1];
  if (userId && current?.value === 'join') return { until: 'now' };
  if (worldReadable) return { until: 'now' };
  if (userId && current && (current.value === 'leave' || current.value === 'ban') && memberships.some((m) => m.value === 'join')) return { until: current.nid };
  throw Errors.forbidden('You are not allowed to view this room');
}

export interface PageOptions {
  from?: string;
  to?: string;
  dir: 'b' | 'f';
  limit: number;
  filter?: RoomEventFilter;
}

export interface Page {
  chunk: StoredEvent[];
  start: string;
  end?: string;
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
  async readAccess(userId: string | undefined, roomId: string): Promise<{ room: RoomInfo; access: ReadAccess; membership: string }> {
    const room = await this.store.room(roomId);
    if (!room) throw Errors.forbidden('You are not allowed to view this room');
    const inputs = await this.visibility.accessInputs(userId, room.roomNid);
    return { room, access: accessOf(inputs), membership: inputs.memberships[inputs.memberships.length - 1]?.value ?? 'leave' };
  }

  /**
   * `/messages`: the access check and the first page are read concurrently (the page is dropped
   * unless the reader may read up to now), so a page costs two round trips in a row.
   */
  async messages(reader: Reader, roomId: string, opts: PageOptions): Promise<{ room: RoomInfo; page: Page }> {
    const room = await this.store.room(roomId);
    if (!room) throw Errors.forbidden('You are not allowed to view this room');
    const token = opts.from === undefined ? undefined : parsePaginationToken(opts.from);
    const topo = token && 'depth' in token ? (token as TopoToken) : undefined;
    const direct = opts.to === undefined && opts.limit > 0 && (opts.from === undefined || topo);
    const first = direct ? this.store.timelinePage(room.roomNid, this.pageQuery(opts, topo, Math.min(opts.limit, 1000))) : undefined;
    first?.catch(() => {});
    const inputs = await this.visibility.prepare(reader.userId, room.roomNid);
    const access = accessOf(inputs);
    return { room, page: await this.paginate(reader, room, access, opts, { visibility: inputs, first: access.until === 'now' ? first : undefined }) };
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
    opts: PageOptions,
    prefetched: { visibility?: VisibilityInputs; first?: Promise<StoredEvent[]> } = {},
  ): Promise<Page> {
    const toTopo = async (token: string | undefined, fallback: 'start' | 'end'): Promise<TopoToken> => {
      const parsed = token === undefined ? undefined : parsePaginationToken(token);
      if (token !== undefined && !parsed) throw Errors.invalidParam('invalid pagination token');
      if (parsed && 'depth' in parsed) return parsed as TopoToken;
      if (!parsed && fallback === 'start') return { depth: 0, stream: 0 };
      return (await this.store.latestPosition(room.roomNid, parsed?.stream)) ?? { depth: 0, stream: 0 };
    };
    let visibility = prefetched.visibility ? Promise.resolve(prefetched.visibility) : undefined;
    const limit = Math.min(Math.max(opts.limit, 0), 1000);
    // Backwards from the end: the first page itself says where the end is.
    const fromEnd = opts.from === undefined && opts.dir === 'b' && limit > 0;
    let from: TopoToken | undefined = fromEnd ? undefined : await toTopo(opts.from, opts.dir === 'b' ? 'end' : 'start');
    const to = opts.to !== undefined ? await toTopo(opts.to, 'start') : undefined;
    let start = from ? formatTopoToken(from) : undefined;
    const chunk: StoredEvent[] = [];
    let exhausted = false;
    let rounds = 0;
    while (chunk.length < limit && !exhausted && rounds++ < 20) {
      const query = { ...this.pageQuery(opts, from, limit - chunk.length), to, untilStream: access.until === 'now' ? undefined : access.until };
      const batch = query.limit;
      const rowsP = rounds === 1 && prefetched.first ? prefetched.first : this.store.timelinePage(room.roomNid, query);
      // What visibility needs is read alongside the first page, not after it.
      visibility ??= this.visibility.prepare(reader?.userId, room.roomNid);
      visibility.catch(() => {});
      const rows = await rowsP;
      start ??= rows.length ? formatTopoToken({ depth: rows[0].depth, stream: rows[0].nid }) : 't0_0';
      if (rows.length < batch) exhausted = true;
      if (rows.length === 0) break;
      const last = rows[rows.length - 1];
      from = opts.dir === 'b' ? { depth: last.depth, stream: last.nid - 1 } : { depth: last.depth, stream: last.nid };
      const visible = visibleEvents(await visibility, rows.filter((e) => matchesEventFilter(opts.filter, { type: e.type, sender: e.sender, content: e.pdu.content })));
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
    return { chunk, start: start ?? 't0_0', end: exhausted && chunk.length < limit ? undefined : formatTopoToken(from ?? { depth: 0, stream: 0 }) };
  }

  /** The store query for `wanted` more events from `from` (a few extra: some may be filtered out). */
  private pageQuery(opts: PageOptions, from: TopoToken | undefined, wanted: number): TimelineQuery {
    const types = opts.filter?.types;
    return {
      from,
      dir: opts.dir,
      limit: Math.max(wanted, 10) + 10,
      types: types && !types.some((t) => t.includes('*')) ? types : undefined,
      senders: opts.filter?.senders,
    };
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
