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
    const columns: Array<{ column_name: string }> = await db('information_schema.columns')
      .where({ table_name: 'events' })
      .whereRaw('table_schema = current_schema()')
      .select('column_name');
    const names = new Set(columns.map((c) => c.column_name));
    if (!names.has('room_id')) throw new Error('no events table with a room_id column: delete the media by mxc:// URI instead');
    const jsonColumn = EVENT_JSON_COLUMNS.find((c) => names.has(c));
    if (!jsonColumn) throw new Error('the events table has no JSON column Parley knows');
    const seen = new Map<string, MediaKey>();
    // Only rows that mention an mxc URI; read in pages to keep memory bounded on big rooms.
    let offset = 0;
    for (;;) {
      const rows: Array<{ text: string }> = await db('events')
        .where({ room_id: roomId })
        .whereRaw(`??::text like '%mxc://%'`, [jsonColumn])
        .select(db.raw('??::text as text', [jsonColumn]))
        .orderByRaw('1')
        .limit(1000)
        .offset(offset);
      for (const r of rows) for (const k of findMxcUris(r.text)) seen.set(`${k.server_name}/${k.media_id}`, k);
      if (rows.length < 1000) break;
      offset += rows.length;
    }
    return [...seen.values()];
  }
}
