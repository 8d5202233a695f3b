// Server-side key backups: https://spec.matrix.org/v1.19/client-server-api/#server-side-key-backups
import type { Knex } from 'knex';
import { Errors, MatrixError } from '@parley/spec';

export type KeyBackupData = {
  first_message_index: number;
  forwarded_count: number;
  is_verified: boolean;
  session_data: Record<string, unknown>;
  [extra: string]: unknown;
};
type Sessions = Record<string, Record<string, KeyBackupData>>;

function wrongVersion(current: number | undefined): MatrixError {
  return new MatrixError(403, 'M_WRONG_ROOM_KEYS_VERSION', 'Wrong backup version', current === undefined ? {} : { current_version: String(current) });
}

/** The spec's rule for keeping the better of two copies of a session key. */
function isBetter(candidate: KeyBackupData, existing: KeyBackupData): boolean {
  if (candidate.is_verified !== existing.is_verified) return candidate.is_verified;
  if (candidate.first_message_index !== existing.first_message_index) return candidate.first_message_index < existing.first_message_index;
  return candidate.forwarded_count < existing.forwarded_count;
}

function parseVersion(version: string): number {
  if (!/^\d{1,15}$/.test(version)) throw Errors.notFound('Unknown backup version');
  return Number(version);
}

export class KeyBackups {
  constructor(private readonly db: Knex) {}

  private async latest(userId: string, db: Knex = this.db): Promise<{ version: number; algorithm: string; auth_data: unknown; etag: number } | undefined> {
    return db('e2e_backup_versions').where({ user_id: userId, deleted: false }).orderBy('version', 'desc').first();
  }

  async create(userId: string, algorithm: string, authData: Record<string, unknown>): Promise<string> {
    return this.db.transaction(async (trx) => {
      await trx.raw('SELECT pg_advisory_xact_lock(hashtextextended(?, 0))', [`backup:${userId}`]);
      const row = await trx('e2e_backup_versions').where({ user_id: userId }).max('version as max').first();
      const version = Number(row?.max ?? 0) + 1;
      await trx('e2e_backup_versions').insert({ user_id: userId, version, algorithm, auth_data: authData, etag: 0 });
      return String(version);
    });
  }

  async info(userId: string, version?: string) {
    const row = version === undefined ? await this.latest(userId) : await this.db('e2e_backup_versions').where({ user_id: userId, version: parseVersion(version), deleted: false }).first();
    if (!row) throw Errors.notFound(version === undefined ? 'No current backup version' : 'Unknown backup version');
    const count = await this.count(userId, row.version);
    return { algorithm: row.algorithm, auth_data: row.auth_data, count, etag: String(row.etag), version: String(row.version) };
  }

  async update(userId: string, version: string, body: { algorithm: string; auth_data: Record<string, unknown>; version?: string }): Promise<void> {
    if (body.version !== undefined && body.version !== version) throw Errors.invalidParam('version in the body does not match the path');
    const row = await this.db('e2e_backup_versions').where({ user_id: userId, version: parseVersion(version), deleted: false }).first();
    if (!row) throw Errors.notFound('Unknown backup version');
    if (row.algorithm !== body.algorithm) throw Errors.invalidParam('The algorithm of a backup cannot change');
    await this.db('e2e_backup_versions').where({ user_id: userId, version: row.version }).update({ auth_data: body.auth_data });
  }

  async deleteVersion(userId: string, version: string): Promise<void> {
    const v = parseVersion(version);
    await this.db.transaction(async (trx) => {
      const n = await trx('e2e_backup_versions').where({ user_id: userId, version: v, deleted: false }).update({ deleted: true });
      if (n === 0) throw Errors.notFound('Unknown backup version');
      await trx('e2e_backup_keys').where({ user_id: userId, version: v }).delete();
    });
  }

  private async count(userId: string, version: number, db: Knex = this.db): Promise<number> {
    const row = await db('e2e_backup_keys').where({ user_id: userId, version }).count('* as n').first();
    return Number(row?.n ?? 0);
  }

  /** Stores keys into the current version only; bumps the etag when anything changed. */
  async put(userId: string, version: string, rooms: Sessions): Promise<{ etag: string; count: number }> {
    return this.db.transaction(async (trx) => {
      await trx.raw('SELECT pg_advisory_xact_lock(hashtextextended(?, 0))', [`backup:${userId}`]);
      const current = await this.latest(userId, trx);
      const v = /^\d{1,15}$/.test(version) ? Number(version) : NaN;
      if (!current || current.version !== v) {
        const exists = await trx('e2e_backup_versions').where({ user_id: userId, version: Number.isNaN(v) ? -1 : v }).first();
        if (!exists) throw Errors.notFound('Unknown backup version');
        throw wrongVersion(current?.version);
      }
      let changed = false;
      for (const [roomId, sessions] of Object.entries(rooms)) {
        const ids = Object.keys(sessions);
        if (ids.length === 0) continue;
        const existing = new Map<string, KeyBackupData>(
          (await trx('e2e_backup_keys').where({ user_id: userId, version: v, room_id: roomId }).whereIn('session_id', ids).select()).map((r) => [r.session_id, r]),
        );
        for (const [sessionId, data] of Object.entries(sessions)) {
          const old = existing.get(sessionId);
          if (old && !isBetter(data, old)) continue;
          await trx('e2e_backup_keys')
            .insert({
              user_id: userId,
              version: v,
              room_id: roomId,
              session_id: sessionId,
              first_message_index: data.first_message_index,
              forwarded_count: data.forwarded_count,
              is_verified: data.is_verified,
              session_data: data.session_data,
            })
            .onConflict(['user_id', 'version', 'room_id', 'session_id'])
            .merge();
          changed = true;
        }
      }
      let etag = current.etag;
      if (changed) {
        etag += 1;
        await trx('e2e_backup_versions').where({ user_id: userId, version: v }).update({ etag });
      }
      return { etag: String(etag), count: await this.count(userId, v, trx) };
    });
  }

  async get(userId: string, version: string, roomId?: string, sessionId?: string): Promise<Sessions> {
    const v = parseVersion(version);
    const exists = await this.db('e2e_backup_versions').where({ user_id: userId, version: v, deleted: false }).first();
    if (!exists) throw Errors.notFound('Unknown backup version');
    const q = this.db('e2e_backup_keys').where({ user_id: userId, version: v });
    if (roomId !== undefined) q.andWhere({ room_id: roomId });
    if (sessionId !== undefined) q.andWhere({ session_id: sessionId });
    const out: Sessions = {};
    for (const r of await q.select()) {
      (out[r.room_id] ??= {})[r.session_id] = {
        first_message_index: r.first_message_index,
        forwarded_count: r.forwarded_count,
        is_verified: r.is_verified,
        session_data: r.session_data,
      };
    }
    return out;
  }

  async delete(userId: string, version: string, roomId?: string, sessionId?: string): Promise<{ etag: string; count: number }> {
    const v = parseVersion(version);
    return this.db.transaction(async (trx) => {
      const row = await trx('e2e_backup_versions').where({ user_id: userId, version: v, deleted: false }).forUpdate().first();
      if (!row) throw Errors.notFound('Unknown backup version');
      const q = trx('e2e_backup_keys').where({ user_id: userId, version: v });
      if (roomId !== undefined) q.andWhere({ room_id: roomId });
      if (sessionId !== undefined) q.andWhere({ session_id: sessionId });
      const n = await q.delete();
      const etag = n > 0 ? Number(row.etag) + 1 : Number(row.etag);
      if (n > 0) await trx('e2e_backup_versions').where({ user_id: userId, version: v }).update({ etag });
      return { etag: String(etag), count: await this.count(userId, v, trx) };
    });
  }
}
