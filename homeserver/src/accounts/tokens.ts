// Access tokens: random, stored only as sha256 hashes, looked up by hash (no timing leak on the secret).
import { createHash, randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import { Errors } from '@parley/spec';
import type { Database } from '../db/database.js';
import type { Authenticator, Requester } from '../http/router.js';

export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

export function newToken(prefix: string): string {
  return `${prefix}_${randomBytes(24).toString('base64url')}`;
}

/**
 * The refresh token that was exchanged for `refreshTokenId` (and the access tokens issued with it)
 * dies once the new pair is first used: https://spec.matrix.org/v1.19/client-server-api/#refreshing-access-tokens
 */
export async function retireReplacedRefreshTokens(db: Knex | Knex.Transaction, refreshTokenId: number): Promise<void> {
  const replaced = db('refresh_tokens').where({ next_token_id: refreshTokenId }).select('id');
  await db('access_tokens').whereIn('refresh_token_id', replaced).delete();
  await db('refresh_tokens').where({ next_token_id: refreshTokenId }).delete();
}

export class TokenAuthenticator implements Authenticator {
  constructor(private readonly db: Database) {}

  async authenticate(token: string): Promise<Requester> {
    const row = await this.db('access_tokens as t')
      .join('users as u', 'u.user_id', 't.user_id')
      .where('t.token_hash', hashToken(token))
      .first('t.id', 't.user_id', 't.device_id', 't.expires_ts', 't.refresh_token_id', 't.used', 'u.admin', 'u.is_guest', 'u.deactivated');
    if (!row || row.deactivated) throw Errors.unknownToken(false);
    if (row.expires_ts !== null && row.expires_ts <= Date.now()) throw Errors.unknownToken(true);
    if (row.refresh_token_id !== null && !row.used) await this.firstUse(row.id, row.refresh_token_id);
    return { userId: row.user_id, deviceId: row.device_id, isAdmin: row.admin, isGuest: row.is_guest, tokenId: row.id };
  }

  private async firstUse(tokenId: number, refreshTokenId: number): Promise<void> {
    await this.db.transaction(async (trx) => {
      await trx('access_tokens').where({ id: tokenId }).update({ used: true });
      await retireReplacedRefreshTokens(trx, refreshTokenId);
    });
  }
}
