// Profiles: https://spec.matrix.org/v1.19/client-server-api/#profiles
// displayname and avatar_url live in columns (rooms read them often); other keys (m.tz, custom) in jsonb.
import { Errors, MatrixError } from '@parley/spec';
import type { Database } from '../db/database.js';

/** The spec's bound on a whole profile. */
const MAX_PROFILE_BYTES = 64 * 1024;
const COLUMN_KEYS = new Set(['displayname', 'avatar_url']);

export interface ProfileChange {
  userId: string;
  displayname: string | null;
  avatar_url: string | null;
}

/** Subscribers update what depends on the profile (member events in rooms, user directory). */
export type ProfileChangedHook = (change: ProfileChange) => Promise<void> | void;

export class ProfileService {
  readonly onProfileChanged: ProfileChangedHook[] = [];

  constructor(private readonly db: Database) {}

  /** The whole profile of a local user, or undefined if there is no such (active) user. */
  async get(userId: string): Promise<Record<string, unknown> | undefined> {
    const row = await this.db('users').where({ user_id: userId }).first('displayname', 'avatar_url', 'profile_fields', 'deactivated');
    if (!row) return undefined;
    const profile: Record<string, unknown> = { ...(row.profile_fields as Record<string, unknown>) };
    if (row.displayname !== null) profile.displayname = row.displayname;
    if (row.avatar_url !== null) profile.avatar_url = row.avatar_url;
    return profile;
  }

  async set(userId: string, key: string, value: unknown): Promise<void> {
    if (key === 'displayname' && typeof value !== 'string') throw Errors.badJson('displayname must be a string');
    if (key === 'avatar_url' && (typeof value !== 'string' || (value !== '' && !value.startsWith('mxc://'))))
      throw Errors.badJson('avatar_url must be an mxc:// URI');
    await this.update(userId, key, value);
  }

  async delete(userId: string, key: string): Promise<void> {
    await this.update(userId, key, undefined);
  }

  private async update(userId: string, key: string, value: unknown): Promise<void> {
    const change = await this.db.transaction(async (trx) => {
      const row = await trx('users').where({ user_id: userId }).forUpdate().first('displayname', 'avatar_url', 'profile_fields');
      if (!row) throw Errors.notFound('No such user');
      const fields = { ...(row.profile_fields as Record<string, unknown>) };
      const next = { displayname: row.displayname as string | null, avatar_url: row.avatar_url as string | null };
      if (COLUMN_KEYS.has(key)) next[key as 'displayname' | 'avatar_url'] = (value as string | undefined) || null;
      else if (value === undefined) delete fields[key];
      else fields[key] = value;
      const size = Buffer.byteLength(JSON.stringify({ ...fields, ...next }));
      if (size > MAX_PROFILE_BYTES) throw new MatrixError(400, 'M_PROFILE_TOO_LARGE', 'The profile would exceed 64 KiB');
      await trx('users')
        .where({ user_id: userId })
        .update({ ...next, profile_fields: JSON.stringify(fields) });
      const changed = next.displayname !== row.displayname || next.avatar_url !== row.avatar_url;
      return changed ? { userId, ...next } : undefined;
    });
    if (change) for (const hook of this.onProfileChanged) await hook(change);
  }
}
