// Access tokens: random, stored only as sha256 hashes, looked up by hash (no timing leak on the secret).
import { createHash, randomBytes } from 'node:crypto';
import { Errors } from '@parley/spec';
import type { Database } from '../db/database.js';
import type { Authenticator, Requester } from '../http/router.js';

export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

export function newToken(prefix: string): string {
  return `${prefix}_${randomBytes(24).toString('base64url')}`;
}

export class TokenAuthenticator implements Authenticator {
  constructor(private readonly db: Database) {}

  async authenticate(token: string): Promise<Requester> {
    const row = await this.db('access_tokens as t')
      .join('users as u', 'u.user_id', 't.user_id')
      .where('t.token_hash', hashToken(token))
      .first('t.id', 't.user_id', 't.device_id', 't.expires_ts', 'u.admin', 'u.is_guest', 'u.deactivated');
    if (!row || row.deactivated) throw Errors.unknownToken(false);
    if (row.expires_ts !== null && row.expires_ts <= Date.now()) throw Errors.unknownToken(true);
    return { userId: row.user_id, deviceId: row.device_id, isAdmin: row.admin, isGuest: row.is_guest, tokenId: row.id };
  }
}
