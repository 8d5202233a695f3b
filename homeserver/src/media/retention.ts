// Retention and removal: the remote media cache, a user's uploads, a room's media, expired
// pending uploads. Every path goes through MediaRepository.delete (no orphan file, no dangling row).
import type { MediaRepository } from './media-repository.js';
import type { MediaKey } from './media-records.js';
import { findMxcUris, parseMxc } from './mxc.js';

/** Columns of the rooms engineer's `events` table that may hold an event's JSON, in order of preference. */
const EVENT_JSON_COLUMNS = ['json', 'event_json', 'pdu', 'content'];

export class MediaRetention {
  constructor(private readonly media: MediaRepository) {}

  async purgeRemoteCache(beforeTs: number): Promise<string[]> {
    return this.media.delete(await this.media.records.remoteKeysCachedBefore(this.media.serverName, beforeTs));
  }

  async deleteUserMedia(userId: string): Promise<string[]> {
    return this.media.delete(await this.media.records.keysOwnedBy(userId));
  }

  async deleteExpiredPending(now = Date.now()): Promise<string[]> {
    return this.media.delete(await this.media.records.expiredPendingKeys(now));
  }

  async deleteMxcUris(uris: string[]): Promise<string[]> {
    const keys = uris.map((u) => {
      const key = parseMxc(u);
      if (!key) throw new Error(`not an mxc:// URI: ${u}`);
      return key;
    });
    return this.media.delete(keys);
  }

  /** Media referenced by the events of a room (needs the `events` table). */
  async deleteRoomMedia(roomId: string): Promise<string[]> {
    return this.media.delete(await this.roomMediaKeys(roomId));
  }

  async roomMediaKeys(roomId: string): Promise<MediaKey[]> {
    const db = this.media.db;
    const columnsOf = async (table: string) =>
      new Set(
        (
          (await db('information_schema.columns')
            .where({ table_name: table })
            .whereRaw('table_schema = current_schema()')
            .select('column_name')) as Array<{ column_name: string }>
        ).map((c) => c.column_name),
      );
    const names = await columnsOf('events');
    const jsonColumn = EVENT_JSON_COLUMNS.find((c) => names.has(c));
    if (names.size === 0 || !jsonColumn) throw new Error('no events table Parley can read: delete the media by mxc:// URI instead');
    // The events table names its room directly (room_id) or through rooms.room_nid.
    const eventsOfRoom = () =>
      names.has('room_id')
        ? db('events').where('events.room_id', roomId)
        : db('events').join('rooms', 'rooms.room_nid', 'events.room_nid').where('rooms.room_id', roomId);
    const seen = new Map<string, MediaKey>();
    const PAGE = 1000;
    for (let offset = 0; ; offset += PAGE) {
      const rows: Array<{ text: string }> = await eventsOfRoom()
        .whereRaw(`events.??::text like '%mxc://%'`, [jsonColumn])
        .select(db.raw('events.??::text as text', [jsonColumn]))
        .orderByRaw('1')
        .limit(PAGE)
        .offset(offset);
      for (const r of rows) for (const k of findMxcUris(r.text)) seen.set(`${k.server_name}/${k.media_id}`, k);
      if (rows.length < PAGE) break;
    }
    return [...seen.values()];
  }
}
