// Room aliases and the published room directory.
// https://spec.matrix.org/v1.19/client-server-api/#room-aliases
// https://spec.matrix.org/v1.19/client-server-api/#published-room-directory
import { Errors, MatrixError, isValidRoomAlias, type JsonObject } from '@parley/spec';
import type { Knex } from 'knex';
import type { RoomService } from './service.js';
import type { RoomInfo } from './store.js';
import { canSendState } from './power.js';
import { RoomSummaries, publishedChunk, type PublishedChunk } from './summary.js';

const MAX_PAGE = 500;

export interface PublicRoomsQuery {
  limit?: number;
  since?: string;
  searchTerm?: string;
  /** `null` stands for rooms without a type. */
  roomTypes?: Array<string | null>;
}

export class DirectoryService {
  private readonly db: Knex;
  readonly summaries: RoomSummaries;

  constructor(private readonly rooms: RoomService) {
    this.db = rooms.db;
    this.summaries = new RoomSummaries(rooms.db);
  }

  private checkLocalAlias(alias: string): void {
    if (!isValidRoomAlias(alias)) throw Errors.invalidParam(`${alias} is not a valid room alias`);
    if (alias.slice(alias.indexOf(':') + 1) !== this.rooms.serverName) throw Errors.invalidParam('Aliases can only be created on this server');
  }

  async create(userId: string, alias: string, roomId: string): Promise<void> {
    this.checkLocalAlias(alias);
    const room = await this.rooms.store.room(roomId);
    if (!room) throw Errors.notFound('Unknown room');
    if ((await this.rooms.store.membership(room.roomNid, userId)).membership !== 'join') throw Errors.forbidden('You are not in this room');
    const inserted = await this.db('room_aliases').insert({ alias, room_id: roomId, creator: userId, created_ts: Date.now() }).onConflict('alias').ignore().returning('alias');
    if (inserted.length === 0) throw new MatrixError(409, 'M_UNKNOWN', `Room alias ${alias} already exists`);
  }

  async resolve(alias: string): Promise<{ room_id: string; servers: string[] }> {
    if (!isValidRoomAlias(alias)) throw Errors.invalidParam(`${alias} is not a valid room alias`);
    const row = await this.db('room_aliases').where({ alias }).first('room_id');
    if (!row) throw Errors.notFound(`Room alias ${alias} not found`);
    return { room_id: row.room_id, servers: [this.rooms.serverName] };
  }

  /** The alias's creator, a server admin, or whoever may set the room's canonical alias. */
  async delete(user: { userId: string; isAdmin: boolean }, alias: string): Promise<void> {
    const row = await this.db('room_aliases').where({ alias }).first();
    if (!row) throw Errors.notFound(`Room alias ${alias} not found`);
    const room = await this.rooms.store.room(row.room_id);
    const allowed = row.creator === user.userId || user.isAdmin || (room && (await canSendState(this.rooms.store, room, user.userId, 'm.room.canonical_alias')));
    if (!allowed) throw Errors.forbidden('You may not delete this alias');
    await this.db('room_aliases').where({ alias }).delete();
    if (room) await this.dropFromCanonicalAlias(user.userId, room, [alias]);
  }

  /** Removes aliases that no longer point here from m.room.canonical_alias, when the user may. */
  async dropFromCanonicalAlias(userId: string, room: RoomInfo, aliases: string[]): Promise<void> {
    const current = await this.rooms.store.currentStateEvent(room.roomNid, 'm.room.canonical_alias');
    if (!current) return;
    const content = { ...(current.pdu.content as JsonObject) };
    let changed = false;
    if (typeof content.alias === 'string' && aliases.includes(content.alias)) {
      delete content.alias;
      changed = true;
    }
    if (Array.isArray(content.alt_aliases)) {
      const alt = content.alt_aliases.filter((a) => !aliases.includes(a as string));
      if (alt.length !== content.alt_aliases.length) {
        content.alt_aliases = alt;
        changed = true;
      }
    }
    if (!changed || !(await canSendState(this.rooms.store, room, userId, 'm.room.canonical_alias'))) return;
    await this.rooms.send({ userId }, room.roomId, { type: 'm.room.canonical_alias', state_key: '', content });
  }

  async localAliases(roomId: string): Promise<string[]> {
    const rows = await this.db('room_aliases').where({ room_id: roomId }).orderBy('created_ts').select('alias');
    return rows.map((r) => r.alias);
  }

  async visibility(roomId: string): Promise<'public' | 'private'> {
    const row = await this.db('rooms').where({ room_id: roomId }).first('is_public');
    if (!row) throw Errors.notFound('Unknown room');
    return row.is_public ? 'public' : 'private';
  }

  /** Publishing needs the power to set the canonical alias (as Synapse does). */
  async setVisibility(userId: string, isAdmin: boolean, roomId: string, visibility: 'public' | 'private'): Promise<void> {
    const room = await this.rooms.store.room(roomId);
    if (!room) throw Errors.notFound('Unknown room');
    if (!isAdmin && !(await canSendState(this.rooms.store, room, userId, 'm.room.canonical_alias'))) {
      throw Errors.forbidden('You may not change the directory visibility of this room');
    }
    await this.db('rooms').where({ room_nid: room.roomNid }).update({ is_public: visibility === 'public' });
  }

  /**
   * Published rooms, most joined members first. Tokens are offsets (`p<n>`) into that order;
   * good enough for a directory of a personal or community server.
   */
  async publicRooms(q: PublicRoomsQuery): Promise<{ chunk: PublishedChunk[]; next_batch?: string; prev_batch?: string; total_room_count_estimate: number }> {
    const limit = Math.min(q.limit ?? 100, MAX_PAGE);
    let offset = 0;
    if (q.since !== undefined) {
      const m = /^p(\d+)$/.exec(q.since);
      if (!m) throw Errors.invalidParam('invalid since token');
      offset = Number(m[1]);
    }
    const nids = (await this.db('rooms').where('is_public', true).select('room_nid')).map((r) => r.room_nid as number);
    let list = [...(await this.summaries.of(nids)).values()];
    if (q.roomTypes) list = list.filter((s) => q.roomTypes!.includes(s.room_type ?? null));
    const term = q.searchTerm?.trim().toLowerCase();
    if (term) list = list.filter((s) => [s.name, s.topic, s.canonical_alias, s.room_id].some((v) => v?.toLowerCase().includes(term)));
    list.sort((a, b) => b.num_joined_members - a.num_joined_members || (a.room_id < b.room_id ? -1 : 1));
    const page = list.slice(offset, offset + limit);
    const out: { chunk: PublishedChunk[]; next_batch?: string; prev_batch?: string; total_room_count_estimate: number } = {
      chunk: page.map(publishedChunk),
      total_room_count_estimate: list.length,
    };
    if (offset + limit < list.length) out.next_batch = `p${offset + limit}`;
    if (offset > 0) out.prev_batch = `p${Math.max(0, offset - limit)}`;
    return out;
  }
}
