// The media tables (metadata; the bytes are in the ContentStore).
import type { Knex } from 'knex';
import type { Database } from '../db/database.js';

export interface MediaRow {
  server_name: string;
  media_id: string;
  user_id: string | null;
  content_type: string | null;
  upload_name: string | null;
  size: number | null;
  sha256: string | null;
  created_ts: number;
  unused_expires_ts: number | null;
  last_access_ts: number | null;
}

export interface ThumbnailRow {
  server_name: string;
  media_id: string;
  width: number;
  height: number;
  method: 'crop' | 'scale';
  animated: boolean;
  content_type: string;
  size: number;
  sha256: string;
  created_ts: number;
}

export type MediaKey = { server_name: string; media_id: string };

export class MediaRecords {
  constructor(private readonly db: Database) {}

  get(serverName: string, mediaId: string, trx: Knex = this.db): Promise<MediaRow | undefined> {
    return trx<MediaRow>('media').where({ server_name: serverName, media_id: mediaId }).first();
  }

  async insert(row: MediaRow, trx: Knex = this.db): Promise<void> {
    await trx('media').insert(row);
  }

  /** Fills a pending asynchronous upload; false if it already has content. */
  async fillPending(key: MediaKey, fields: Pick<MediaRow, 'content_type' | 'upload_name' | 'size' | 'sha256'>, trx: Knex): Promise<boolean> {
    const n = await trx('media')
      .where(key)
      .whereNull('sha256')
      .update({ ...fields, unused_expires_ts: null, created_ts: Date.now() });
    return n === 1;
  }

  async bytesOwnedBy(userId: string): Promise<number> {
    const row = await this.db('media').where({ user_id: userId }).sum<{ total: number | null }>('size as total').first();
    return Number(row?.total ?? 0);
  }

  async pendingUploadsOf(userId: string, now: number): Promise<number> {
    const row = await this.db('media')
      .where({ user_id: userId })
      .whereNull('sha256')
      .where('unused_expires_ts', '>', now)
      .count<{ n: number }>('* as n')
      .first();
    return Number(row?.n ?? 0);
  }

  async touch(key: MediaKey, now: number): Promise<void> {
    await this.db('media').where(key).update({ last_access_ts: now });
  }

  getThumbnail(key: MediaKey, spec: { width: number; height: number; method: string; animated: boolean }): Promise<ThumbnailRow | undefined> {
    return this.db<ThumbnailRow>('media_thumbnails').where({ ...key, ...spec }).first();
  }

  /** A cached thumbnail with its media's creation time, in one query (the hot path). */
  getThumbnailWithMedia(
    key: MediaKey,
    spec: { width: number; height: number; method: string; animated: boolean },
  ): Promise<(ThumbnailRow & { media_created_ts: number }) | undefined> {
    return this.db('media_thumbnails as t')
      .join('media as m', (j) => j.on('m.server_name', 't.server_name').andOn('m.media_id', 't.media_id'))
      .where({ 't.server_name': key.server_name, 't.media_id': key.media_id, 't.width': spec.width, 't.height': spec.height, 't.method': spec.method, 't.animated': spec.animated })
      .first('t.*', 'm.created_ts as media_created_ts');
  }

  listThumbnails(key: MediaKey): Promise<ThumbnailRow[]> {
    return this.db<ThumbnailRow>('media_thumbnails').where(key);
  }

  async insertThumbnail(row: ThumbnailRow, trx: Knex): Promise<void> {
    await trx('media_thumbnails').insert(row).onConflict(['server_name', 'media_id', 'width', 'height', 'method', 'animated']).ignore();
  }

  /** How many rows (media or thumbnails) still point at a content hash. */
  async references(sha256: string, trx: Knex): Promise<number> {
    const [m, t] = await Promise.all([
      trx('media').where({ sha256 }).count<{ n: number }>('* as n').first(),
      trx('media_thumbnails').where({ sha256 }).count<{ n: number }>('* as n').first(),
    ]);
    return Number(m?.n ?? 0) + Number(t?.n ?? 0);
  }

  keysOwnedBy(userId: string): Promise<MediaKey[]> {
    return this.db('media').where({ user_id: userId }).select('server_name', 'media_id');
  }

  remoteKeysCachedBefore(localServer: string, beforeTs: number): Promise<MediaKey[]> {
    return this.db('media')
      .whereNot({ server_name: localServer })
      .where((q) => q.where('last_access_ts', '<', beforeTs).orWhere((q2) => q2.whereNull('last_access_ts').where('created_ts', '<', beforeTs)))
      .select('server_name', 'media_id');
  }

  expiredPendingKeys(now: number): Promise<MediaKey[]> {
    return this.db('media').whereNull('sha256').where('unused_expires_ts', '<=', now).select('server_name', 'media_id');
  }
}

/** Serialises writers and deleters of one content hash (Postgres advisory lock, released at commit). */
export async function lockContent(trx: Knex, sha256: string): Promise<void> {
  await trx.raw('select pg_advisory_xact_lock(hashtextextended(?, 0))', [sha256]);
}
