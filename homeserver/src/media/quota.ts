// Per-user media quota that holds under concurrent uploads: an upload reserves its bytes (the
// declared length, or growing steps as they stream in) in media_quota_reservations before it may
// take them, under a per-user lock, counting stored media and other live reservations in one
// snapshot. The reservation is dropped in the transaction that writes the media row.
import type { Knex } from 'knex';
import type { Database } from '../db/database.js';
import { overQuota } from './limits.js';

const STEP = 1024 * 1024;
/** A reservation left by a crashed process stops counting after this long without growing. */
export const RESERVATION_TTL_MS = 60 * 60 * 1000;

export class MediaQuota {
  constructor(
    private readonly db: Database,
    readonly quotaBytes: number,
  ) {}

  /** Reserves `need` bytes (up to `want` when the quota allows) for `userId`, or throws 403. */
  async reserve(userId: string, need: number, want: number): Promise<Reservation> {
    const r = new Reservation(this, userId);
    await r.ensure(need, want);
    return r;
  }

  /** One transaction: lock the user, count, grant what fits. Returns the bytes now reserved. */
  async claim(userId: string, id: number | undefined, need: number, want: number): Promise<{ id: number; bytes: number }> {
    return this.db.transaction(async (trx) => {
      const now = Date.now();
      await trx.raw('select pg_advisory_xact_lock(hashtextextended(?, 0))', [`media-quota:${userId}`]);
      await trx('media_quota_reservations').where({ user_id: userId }).where('expires_ts', '<=', now).delete();
      const { rows } = await trx.raw<{ rows: Array<{ used: string }> }>(
        `select (select coalesce(sum(size), 0) from media where user_id = :userId)
              + (select coalesce(sum(bytes), 0) from media_quota_reservations where user_id = :userId and id <> :id) as used`,
        { userId, id: id ?? -1 },
      );
      const free = this.quotaBytes - Number(rows[0].used);
      if (need > free) throw overQuota();
      const bytes = Math.max(need, Math.min(want, free));
      if (id === undefined) {
        const [row] = await trx('media_quota_reservations').insert({ user_id: userId, bytes, expires_ts: now + RESERVATION_TTL_MS }).returning('id');
        return { id: Number(row.id), bytes };
      }
      await trx('media_quota_reservations').where({ id }).update({ bytes, expires_ts: now + RESERVATION_TTL_MS });
      return { id, bytes };
    });
  }

  async drop(id: number, trx: Knex = this.db): Promise<void> {
    await trx('media_quota_reservations').where({ id }).delete();
  }

  async sweepExpired(now = Date.now()): Promise<number> {
    return this.db('media_quota_reservations').where('expires_ts', '<=', now).delete();
  }
}

export class Reservation {
  private id: number | undefined;
  reserved = 0;

  constructor(
    private readonly quota: MediaQuota,
    private readonly userId: string,
  ) {}

  /** Makes sure at least `received` bytes are reserved, asking for more (doubling) as needed. */
  async ensure(received: number, limit: number): Promise<void> {
    if (received <= this.reserved && this.id !== undefined) return;
    const want = Math.min(limit, Math.max(received, this.reserved * 2, STEP));
    const granted = await this.quota.claim(this.userId, this.id, received, want);
    this.id = granted.id;
    this.reserved = granted.bytes;
  }

  /**
   * Pass the transaction that writes the media row, so the bytes move from reserved to stored at
   * once; call again without one when the upload ends either way (a rolled-back delete is redone).
   */
  async release(trx?: Knex): Promise<void> {
    if (this.id !== undefined) await this.quota.drop(this.id, trx);
  }
}
