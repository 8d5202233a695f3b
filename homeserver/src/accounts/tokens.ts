// Access tokens: random, stored only as sha256 hashes, looked up by hash (no timing leak on the secret).
import { hash } from 'node:crypto';
import type { Knex } from 'knex';
import { Errors } from '@parley/spec';
import type { Database } from '../db/database.js';
import { runPrepared, type PreparedStatement } from '../db/prepared.js';
import type { Authenticator, Requester } from '../http/router.js';

/** Every request with an access token not cached here runs this (a prepared statement). */
const TOKEN_LOOKUP: PreparedStatement = {
  name: 'tokens_lookup',
  text: `SELECT t.id, t.user_id, t.device_id, t.expires_ts, t.refresh_token_id, t.used, u.admin, u.is_guest, u.deactivated
           FROM access_tokens t JOIN users u ON u.user_id = t.user_id
          WHERE t.token_hash = $1`,
};

interface TokenRow {
  id: number;
  user_id: string;
  device_id: string;
  expires_ts: number | null;
  refresh_token_id: number | null;
  used: boolean;
  admin: boolean;
  is_guest: boolean;
  deactivated: boolean;
}

export function hashToken(token: string): Buffer {
  return hash('sha256', token, 'buffer');
}

export const TOKEN_RANDOM_BYTES = 24;

/** `random`: TOKEN_RANDOM_BYTES fresh random bytes. */
export function newToken(prefix: string, random: Buffer): string {
  return `${prefix}_${random.toString('base64url')}`;
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

/** How long a resolved token is trusted without a read (a revocation on another process waits at most this). */
const TOKEN_CACHE_MS = 10_000;
const TOKEN_CACHE_MAX = 50_000;

interface CachedToken {
  requester: Requester;
  expiresTs: number | null;
  /** Read again after this (jittered, so clients that started together do not expire together). */
  until: number;
}

/**
 * Resolves access tokens, keeping each for a few seconds: a busy client (a long-poll loop, a
 * sender) costs one read per few seconds, not one per request. Every path that revokes tokens
 * calls `revoked(userId)` (before and after its commit), which also goes to other processes.
 */
export class TokenAuthenticator implements Authenticator {
  private readonly cache = new Map<string, CachedToken>();
  /** Bumped by each revocation of the user's tokens: a read that overlaps one is not kept. */
  private readonly epochs = new Map<string, number>();
  /** Hooks told of local revocations (main.ts publishes them on the bus). */
  readonly onRevoked: Array<(userId: string) => void> = [];

  constructor(private readonly db: Database) {}

  async authenticate(token: string): Promise<Requester> {
    const hash = hashToken(token);
    const key = hash.toString('base64');
    const now = Date.now();
    const hit = this.cache.get(key);
    if (hit && now < hit.until) {
      if (hit.expiresTs !== null && hit.expiresTs <= now) throw Errors.unknownToken(true);
      return hit.requester;
    }
    const [row] = await runPrepared<TokenRow>(this.db, TOKEN_LOOKUP, [hash]);
    if (!row || row.deactivated) throw Errors.unknownToken(false);
    if (row.expires_ts !== null && row.expires_ts <= Date.now()) throw Errors.unknownToken(true);
    const epoch = this.epochs.get(row.user_id) ?? 0;
    if (row.refresh_token_id !== null && !row.used) await this.firstUse(row.user_id, row.id, row.refresh_token_id);
    const requester: Requester = { userId: row.user_id, deviceId: row.device_id, isAdmin: row.admin, isGuest: row.is_guest, tokenId: row.id };
    if ((this.epochs.get(row.user_id) ?? 0) === epoch && row.refresh_token_id === null) {
      if (this.cache.size >= TOKEN_CACHE_MAX) this.cache.clear();
      this.cache.set(key, { requester, expiresTs: row.expires_ts === null ? null : Number(row.expires_ts), until: now + TOKEN_CACHE_MS * (0.5 + Math.random() / 2) });
    }
    return requester;
  }

  /** Forgets the user's cached tokens (logout, device deletion, refresh, deactivation). */
  forget(userId: string): void {
    this.epochs.set(userId, (this.epochs.get(userId) ?? 0) + 1);
    if (this.epochs.size > TOKEN_CACHE_MAX) this.epochs.clear();
    for (const [k, v] of this.cache) if (v.requester.userId === userId) this.cache.delete(k);
  }

  /** A revocation of the user's tokens: forget them here and tell the hooks; again once `trx` commits. */
  revoked(userId: string, trx?: Knex.Transaction): void {
    const run = () => {
      this.forget(userId);
      for (const hook of this.onRevoked) hook(userId);
    };
    run();
    if (trx) void trx.executionPromise.then(run, () => {});
  }

  private async firstUse(userId: string, tokenId: number, refreshTokenId: number): Promise<void> {
    await this.db.transaction(async (trx) => {
      await trx('access_tokens').where({ id: tokenId }).update({ used: true });
      await retireReplacedRefreshTokens(trx, refreshTokenId);
    });
    this.revoked(userId);
  }
}
