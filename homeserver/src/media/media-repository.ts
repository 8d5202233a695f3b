// The content repository's core: uploads (direct and asynchronous), lookups for download
// (waiting for pending uploads, fetching remote media), and deletion without orphans.
import type { Readable } from 'node:stream';
import type { Logger } from 'pino';
import type { Knex } from 'knex';
import { Errors, MatrixError } from '@parley/spec';
import type { Database } from '../db/database.js';
import type { EventBus } from '../bus/bus.js';
import type { Config } from '../config/schema.js';
import type { ContentStore, StageCheck, StagedContent } from './content-store.js';
import { decideContentType, isImage, sniffContentType } from './content-type.js';
import { checkDeclaredLength, streamingLimits, tooLargeFor, type UploadLimits } from './limits.js';
import { lockContent, MediaRecords, type MediaKey, type MediaRow } from './media-records.js';
import { mxcUri, newMediaId } from './mxc.js';
import { MediaQuota } from './quota.js';

export type MediaConfig = Config['media'];
/** A media row whose bytes are present. */
export type StoredMedia = MediaRow & { sha256: string; size: number };

const UPLOADED_CHANNEL = 'media.uploaded';

export const Errs = {
  cannotOverwrite: () => new MatrixError(409, 'M_CANNOT_OVERWRITE_MEDIA', 'Media already uploaded'),
  notYetUploaded: () => new MatrixError(504, 'M_NOT_YET_UPLOADED', 'Content has not yet been uploaded'),
  remoteFailed: (why: string) => new MatrixError(502, 'M_UNKNOWN', `Failed to fetch remote media: ${why}`),
};

export interface UploadInput {
  userId: string | null;
  source: AsyncIterable<Buffer> | Readable;
  contentLength?: number;
  contentType?: string;
  fileName?: string;
}

/** Fetches media of another server on demand (remote-media.ts). */
export interface RemoteMediaSource {
  fetch(serverName: string, mediaId: string): Promise<StoredMedia>;
}

export class MediaRepository {
  readonly records: MediaRecords;
  readonly quota: MediaQuota;
  remote?: RemoteMediaSource;
  private readonly uploadListeners = new Set<(key: MediaKey) => void>();
  private readonly unsubscribe: () => void;

  constructor(
    readonly serverName: string,
    readonly config: MediaConfig,
    readonly db: Database,
    readonly store: ContentStore,
    private readonly bus: EventBus,
    readonly log: Logger,
  ) {
    this.records = new MediaRecords(db);
    this.quota = new MediaQuota(db, config.user_quota_bytes);
    this.unsubscribe = bus.subscribe(UPLOADED_CHANNEL, (msg) => {
      for (const listener of this.uploadListeners) listener(msg as MediaKey);
    });
  }

  close(): void {
    this.unsubscribe();
  }

  isLocal(serverName: string): boolean {
    return serverName === this.serverName;
  }

  async limitsFor(userId: string | null): Promise<UploadLimits> {
    const quota = this.config.user_quota_bytes;
    const quotaLeft = userId && quota > 0 ? Math.max(0, quota - (await this.records.bytesOwnedBy(userId))) : Infinity;
    return { maxBytes: this.config.max_upload_bytes, maxImageBytes: this.config.max_image_upload_bytes, quotaLeft };
  }

  /**
   * Streams bytes into the store, then runs `writeRows` and names the content in one transaction
   * holding the content's lock, so a concurrent delete of the same bytes cannot interleave.
   */
  async ingest<T>(
    source: AsyncIterable<Buffer> | Readable,
    check: StageCheck | undefined,
    writeRows: (staged: StagedContent, trx: Knex) => Promise<T>,
  ): Promise<T> {
    const staged = await this.store.stage(source, check);
    try {
      return await this.db.transaction(async (trx) => {
        await lockContent(trx, staged.sha256);
        const result = await writeRows(staged, trx);
        await this.store.commit(staged.token, staged.sha256);
        return result;
      });
    } catch (err) {
      await this.store.discard(staged.token);
      throw err;
    }
  }

  /** POST /upload, and PUT /upload/{serverName}/{mediaId} when `target` is a pending upload. */
  async upload(input: UploadInput, target?: MediaKey): Promise<MediaKey> {
    const limits = await this.limitsFor(input.userId);
    const declaredImage = isImage(input.contentType);
    checkDeclaredLength(input.contentLength, declaredImage, limits);
    const key = target ?? { server_name: this.serverName, media_id: newMediaId() };
    const limit = declaredImage ? limits.maxImageBytes : limits.maxBytes;
    const reservation =
      input.userId && this.quota.quotaBytes > 0 ? await this.quota.reserve(input.userId, input.contentLength ?? 0, input.contentLength ?? limit) : undefined;
    const sizeLimits = streamingLimits(limits, declaredImage);
    const check: StageCheck = reservation
      ? async (received, head, done) => {
          sizeLimits(received, head, done);
          await reservation.ensure(received, limit);
        }
      : sizeLimits;
    let contentType = '';
    try {
      await this.ingest(input.source, check, async (staged, trx) => {
        contentType = decideContentType(input.contentType, await sniffContentType(staged.head));
        if (isImage(contentType) && staged.size > limits.maxImageBytes) throw tooLargeFor(limits.maxImageBytes);
        const fields = { content_type: contentType, upload_name: input.fileName ?? null, size: staged.size, sha256: staged.sha256 };
        if (target) {
          if (!(await this.records.fillPending(target, fields, trx))) throw Errs.cannotOverwrite();
        } else {
          const now = Date.now();
          await this.records.insert({ ...key, ...fields, user_id: input.userId, created_ts: now, unused_expires_ts: null, last_access_ts: now }, trx);
        }
        await reservation?.release(trx);
      });
    } finally {
      await reservation?.release();
    }
    await this.bus.publish(UPLOADED_CHANNEL, key);
    return key;
  }

  /** POST /_matrix/media/v1/create */
  async createPending(userId: string): Promise<{ key: MediaKey; expiresAt: number }> {
    const now = Date.now();
    await this.db('media').where({ user_id: userId }).whereNull('sha256').where('unused_expires_ts', '<=', now).delete();
    if ((await this.records.pendingUploadsOf(userId, now)) >= this.config.max_pending_uploads) {
      throw Errors.limitExceeded(60_000);
    }
    const key = { server_name: this.serverName, media_id: newMediaId() };
    const expiresAt = now + this.config.unused_upload_expiry_ms;
    await this.records.insert({
      ...key, user_id: userId, content_type: null, upload_name: null, size: null, sha256: null,
      created_ts: now, unused_expires_ts: expiresAt, last_access_ts: null,
    });
    return { key, expiresAt };
  }

  /** Checks that `userId` may fill the pending upload `key`. */
  async checkPendingTarget(userId: string, key: MediaKey): Promise<void> {
    const row = this.isLocal(key.server_name) ? await this.records.get(key.server_name, key.media_id) : undefined;
    if (!row) throw Errors.notFound('Unknown media ID');
    if (row.sha256 !== null) throw Errs.cannotOverwrite();
    if (row.user_id !== userId) throw Errors.forbidden('This media ID was created by another user');
    if (row.unused_expires_ts !== null && row.unused_expires_ts <= Date.now()) throw Errors.notFound('This media ID has expired');
  }

  /**
   * The media to serve for a download or thumbnail: local (waiting up to `timeoutMs` for a
   * pending upload) or remote (from the cache, else fetched when `allowRemote`).
   */
  async find(serverName: string, mediaId: string, opts: { timeoutMs: number; allowRemote: boolean }): Promise<StoredMedia> {
    const now = Date.now();
    if (this.isLocal(serverName)) {
      const row = await this.records.get(serverName, mediaId);
      if (!row || (row.sha256 === null && (row.unused_expires_ts ?? 0) <= now)) throw Errors.notFound('Media not found');
      if (row.sha256 !== null) return row as StoredMedia;
      return this.waitForUpload(row, Math.min(opts.timeoutMs, this.config.max_download_wait_ms));
    }
    const cached = await this.records.get(serverName, mediaId);
    if (cached?.sha256) {
      await this.records.touch(cached, now);
      return cached as StoredMedia;
    }
    if (!opts.allowRemote || !this.remote || !this.config.remote.enabled) throw Errors.notFound('Media not found');
    return this.remote.fetch(serverName, mediaId);
  }

  private async waitForUpload(row: MediaRow, timeoutMs: number): Promise<StoredMedia> {
    const key = { server_name: row.server_name, media_id: row.media_id };
    let listener: ((k: MediaKey) => void) | undefined;
    let timer: NodeJS.Timeout | undefined;
    try {
      const arrived = new Promise<boolean>((resolve) => {
        listener = (k) => k.server_name === key.server_name && k.media_id === key.media_id && resolve(true);
        this.uploadListeners.add(listener);
        timer = setTimeout(() => resolve(false), timeoutMs);
      });
      // The upload may have finished between the first read and the subscription.
      const again = await this.records.get(key.server_name, key.media_id);
      if (again?.sha256) return again as StoredMedia;
      if (await arrived) {
        const done = await this.records.get(key.server_name, key.media_id);
        if (done?.sha256) return done as StoredMedia;
      }
      throw Errs.notYetUploaded();
    } finally {
      if (listener) this.uploadListeners.delete(listener);
      clearTimeout(timer);
    }
  }

  /** Whether the deprecated unauthenticated endpoints may serve media created at `createdTs`. */
  servedUnauthenticated(createdTs: number): boolean {
    const frozenAfter = this.config.unauthenticated_frozen_after_ts;
    return frozenAfter === null || createdTs < frozenAfter;
  }

  /**
   * Removes stored files no row references and staged files, older than `minAgeMs` (left by a
   * crash between writing the bytes and inserting the row). Each deletion re-checks the
   * references under the content lock, so an upload of the same bytes cannot be lost.
   */
  async sweepOrphans(minAgeMs = 60 * 60 * 1000, now = Date.now()): Promise<{ files: number; staged: number }> {
    const staged = await this.store.sweepStaging(now - minAgeMs);
    let files = 0;
    const batch: string[] = [];
    const flush = async () => {
      const referenced = new Set<string>(
        (
          (await this.db
            .select('sha256')
            .from('media')
            .whereIn('sha256', batch)
            .union((q) => q.select('sha256').from('media_thumbnails').whereIn('sha256', batch))) as Array<{ sha256: string }>
        ).map((r) => r.sha256),
      );
      for (const sha256 of batch) {
        if (referenced.has(sha256)) continue;
        const deleted = await this.db.transaction(async (trx) => {
          await lockContent(trx, sha256);
          if ((await this.records.references(sha256, trx)) > 0) return false;
          await this.store.delete(sha256);
          return true;
        });
        if (deleted) files++;
      }
      batch.length = 0;
    };
    for await (const sha256 of this.store.listOlderThan(now - minAgeMs)) {
      batch.push(sha256);
      if (batch.length >= 500) await flush();
    }
    if (batch.length) await flush();
    if (files || staged) this.log.info({ files, staged }, 'removed orphaned media files');
    return { files, staged };
  }

  /**
   * Deletes media rows, their thumbnails and cached previews pointing at them, and every file no
   * other row still uses. Returns the mxc URIs deleted.
   */
  async delete(keys: MediaKey[]): Promise<string[]> {
    const deleted: string[] = [];
    for (const key of keys) {
      const gone = await this.db.transaction(async (trx) => {
        const row = await trx<MediaRow>('media').where(key).forUpdate().first();
        if (!row) return false;
        const thumbs: Array<{ sha256: string }> = await trx('media_thumbnails').where(key).select('sha256');
        const hashes = [...new Set([row.sha256, ...thumbs.map((t) => t.sha256)].filter((h): h is string => !!h))].sort();
        for (const h of hashes) await lockContent(trx, h);
        await trx('media').where(key).delete(); // thumbnails cascade
        await trx('url_previews').whereRaw(`og->>'og:image' = ?`, [mxcUri(key)]).delete();
        for (const h of hashes) if ((await this.records.references(h, trx)) === 0) await this.store.delete(h);
        return true;
      });
      if (gone) deleted.push(mxcUri(key));
    }
    return deleted;
  }
}
