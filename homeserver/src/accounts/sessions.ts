// Devices and the tokens issued to them: login sessions, refresh-token rotation, logout.
// https://spec.matrix.org/v1.19/client-server-api/#relationship-between-access-tokens-and-devices
// https://spec.matrix.org/v1.19/client-server-api/#refreshing-access-tokens
import type { Knex } from 'knex';
import { Errors } from '@parley/spec';
import type { Database } from '../db/database.js';
import { runPrepared, type PreparedStatement } from '../db/prepared.js';
import { RandomPool } from './random-pool.js';
import { hashToken, newToken, retireReplacedRefreshTokens, TOKEN_RANDOM_BYTES } from './tokens.js';

export interface SessionTokens {
  access_token: string;
  device_id: string;
  refresh_token?: string;
  expires_in_ms?: number;
}

export interface DeviceInfo {
  device_id: string;
  display_name?: string;
  last_seen_ip?: string;
  last_seen_ts?: number;
}

export interface NewSession {
  deviceId?: string;
  displayName?: string;
  withRefreshToken?: boolean;
  ip?: string;
}

/** Called after devices are deleted (logout, delete_devices, deactivation): e.g. to drop their E2EE keys. */
export type DevicesDeletedHook = (userId: string, deviceIds: string[]) => Promise<void> | void;

/**
 * A new device and its access token in one statement (atomic on its own), only while the user's
 * password hash is still `$7` and the account is active. FOR SHARE holds the user's row until the
 * statement commits: a concurrent password change or deactivation (which update that row before
 * deleting devices) either waits and then deletes this token too, or commits first and leaves
 * nothing to insert. https://spec.matrix.org/v1.19/client-server-api/#post_matrixclientv3accountpassword
 */
const INSERT_NEW_DEVICE_IF_CREDENTIALS: PreparedStatement = {
  name: 'sessions_insert_new_device_if_credentials',
  text: `WITH verified AS (
           SELECT user_id FROM users WHERE user_id = $1 AND password_hash = $7 AND NOT deactivated FOR SHARE
         ), device AS (
           INSERT INTO devices (user_id, device_id, display_name, last_seen_ip, last_seen_ts, created_ts)
           SELECT user_id, $2, $3, $4, $5, $5 FROM verified
         )
         INSERT INTO access_tokens (token_hash, user_id, device_id, expires_ts, refresh_token_id, created_ts)
         SELECT $6, user_id, $2, NULL, NULL, $5 FROM verified
         RETURNING 1 AS inserted`,
};

const DEVICE_ID_LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const DEVICE_ID_LENGTH = 10;

/** `random`: DEVICE_ID_LENGTH fresh random bytes. */
function newDeviceId(random: Buffer): string {
  let id = '';
  for (const b of random) id += DEVICE_ID_LETTERS[b % 26];
  return id;
}

function toDeviceInfo(row: { device_id: string; display_name: string | null; last_seen_ip: string | null; last_seen_ts: number | null }): DeviceInfo {
  const d: DeviceInfo = { device_id: row.device_id };
  if (row.display_name !== null) d.display_name = row.display_name;
  if (row.last_seen_ip !== null) d.last_seen_ip = row.last_seen_ip;
  if (row.last_seen_ts !== null) d.last_seen_ts = row.last_seen_ts;
  return d;
}

export class SessionService {
  readonly onDevicesDeleted: DevicesDeletedHook[] = [];
  /** Where tokens and device IDs get their random bytes. */
  private readonly random = new RandomPool();

  constructor(
    private readonly db: Database,
    /** Lifetime of access tokens that come with a refresh token. */
    private readonly accessTokenLifetimeMs: number,
    /** Told of every revocation of a user's access tokens (the authenticator's cache). */
    private readonly revoked: (userId: string, trx?: Knex.Transaction) => void = () => {},
  ) {}

  /**
   * Creates (or takes over) a device and issues its tokens. Reusing an existing device ID
   * invalidates the tokens previously issued to that device.
   */
  async create(trx: Knex.Transaction, userId: string, opts: NewSession = {}): Promise<SessionTokens> {
    const now = Date.now();
    const deviceId = opts.deviceId ?? newDeviceId(this.random.take(DEVICE_ID_LENGTH));
    const existing = await trx('devices').where({ user_id: userId, device_id: deviceId }).forUpdate().first('device_id');
    if (existing) {
      this.revoked(userId, trx);
      await trx('access_tokens').where({ user_id: userId, device_id: deviceId }).delete();
      await trx('refresh_tokens').where({ user_id: userId, device_id: deviceId }).delete();
      const update: Record<string, unknown> = { last_seen_ip: opts.ip ?? null, last_seen_ts: now };
      if (opts.displayName !== undefined) update.display_name = opts.displayName;
      await trx('devices').where({ user_id: userId, device_id: deviceId }).update(update);
    } else {
      await trx('devices').insert({
        user_id: userId,
        device_id: deviceId,
        display_name: opts.displayName ?? null,
        last_seen_ip: opts.ip ?? null,
        last_seen_ts: now,
        created_ts: now,
      });
    }
    const { tokens } = await this.issueTokens(trx, userId, deviceId, opts.withRefreshToken ?? false);
    return tokens;
  }

  /**
   * The common login: a new device with an access token and no refresh token, issued only if the
   * password hash the login verified (`passwordHash`) is still the user's and the account is
   * active; undefined otherwise. The device ID is fresh, so nothing can exist to take over, and
   * both rows go in with one statement (one round trip instead of a transaction's five).
   */
  async createNewDevice(
    db: Database,
    userId: string,
    passwordHash: string,
    opts: Omit<NewSession, 'deviceId' | 'withRefreshToken'> = {},
  ): Promise<SessionTokens | undefined> {
    const now = Date.now();
    const accessToken = newToken('syt', this.random.take(TOKEN_RANDOM_BYTES));
    const deviceId = newDeviceId(this.random.take(DEVICE_ID_LENGTH));
    const rows = await runPrepared(db, INSERT_NEW_DEVICE_IF_CREDENTIALS, [userId, deviceId, opts.displayName ?? null, opts.ip ?? null, now, hashToken(accessToken), passwordHash]);
    return rows.length > 0 ? { access_token: accessToken, device_id: deviceId } : undefined;
  }

  private async issueTokens(
    trx: Knex.Transaction,
    userId: string,
    deviceId: string,
    withRefresh: boolean,
  ): Promise<{ tokens: SessionTokens; refreshTokenId: number | null }> {
    const now = Date.now();
    const accessToken = newToken('syt', this.random.take(TOKEN_RANDOM_BYTES));
    let refreshToken: string | undefined;
    let refreshTokenId: number | null = null;
    if (withRefresh) {
      refreshToken = newToken('syr', this.random.take(TOKEN_RANDOM_BYTES));
      const [row] = await trx('refresh_tokens')
        .insert({ token_hash: hashToken(refreshToken), user_id: userId, device_id: deviceId, created_ts: now })
        .returning('id');
      refreshTokenId = row.id;
    }
    await trx('access_tokens').insert({
      token_hash: hashToken(accessToken),
      user_id: userId,
      device_id: deviceId,
      expires_ts: withRefresh ? now + this.accessTokenLifetimeMs : null,
      refresh_token_id: refreshTokenId,
      created_ts: now,
    });
    const out: SessionTokens = { access_token: accessToken, device_id: deviceId };
    if (refreshToken) {
      out.refresh_token = refreshToken;
      out.expires_in_ms = this.accessTokenLifetimeMs;
    }
    return { tokens: out, refreshTokenId };
  }

  /**
   * Exchanges a refresh token for a new pair. The old refresh token keeps working until the
   * new access or refresh token is first used; a second exchange of the same old token
   * replaces the pair it issued before.
   */
  async refresh(refreshToken: string): Promise<SessionTokens> {
    return this.db.transaction(async (trx) => {
      const old = await trx('refresh_tokens').where({ token_hash: hashToken(refreshToken) }).forUpdate().first();
      if (!old) throw Errors.unknownToken(false);
      const user = await trx('users').where({ user_id: old.user_id }).first('deactivated');
      if (!user || user.deactivated) throw Errors.unknownToken(false);
      // Using this token is the first use of the pair that replaced its predecessor.
      this.revoked(old.user_id, trx);
      await retireReplacedRefreshTokens(trx, old.id);
      if (old.next_token_id !== null) await this.deleteRefreshTokens(trx, [old.next_token_id]);
      const { tokens, refreshTokenId } = await this.issueTokens(trx, old.user_id, old.device_id, true);
      await trx('refresh_tokens').where({ id: old.id }).update({ next_token_id: refreshTokenId, used: true });
      return tokens;
    });
  }

  private async deleteRefreshTokens(trx: Knex.Transaction, ids: number[]): Promise<void> {
    await trx('access_tokens').whereIn('refresh_token_id', ids).delete();
    await trx('refresh_tokens').whereIn('id', ids).delete();
  }

  async listDevices(userId: string): Promise<DeviceInfo[]> {
    const rows = await this.db('devices').where({ user_id: userId }).orderBy('created_ts');
    return rows.map(toDeviceInfo);
  }

  async getDevice(userId: string, deviceId: string): Promise<DeviceInfo | undefined> {
    const row = await this.db('devices').where({ user_id: userId, device_id: deviceId }).first();
    return row ? toDeviceInfo(row) : undefined;
  }

  async renameDevice(userId: string, deviceId: string, displayName: string): Promise<boolean> {
    const n = await this.db('devices').where({ user_id: userId, device_id: deviceId }).update({ display_name: displayName });
    return n > 0;
  }

  /** Deletes devices (their tokens go with them by cascade) and tells the hooks. */
  async deleteDevices(userId: string, deviceIds: string[] | 'all', opts: { except?: string; trx?: Knex.Transaction } = {}): Promise<string[]> {
    const run = async (trx: Knex.Transaction) => {
      let q = trx('devices').where({ user_id: userId });
      if (deviceIds !== 'all') q = q.whereIn('device_id', deviceIds);
      if (opts.except !== undefined) q = q.whereNot('device_id', opts.except);
      const rows: Array<{ device_id: string }> = await q.delete().returning('device_id');
      return rows.map((r) => r.device_id);
    };
    const deleted = opts.trx ? await run(opts.trx) : await this.db.transaction(async (trx) => {
      this.revoked(userId, trx);
      return run(trx);
    });
    if (opts.trx) this.revoked(userId, opts.trx);
    if (deleted.length) {
      const notify = () => Promise.all(this.onDevicesDeleted.map((hook) => hook(userId, deleted)));
      if (opts.trx) void opts.trx.executionPromise.then(notify, () => {});
      else await notify();
    }
    return deleted;
  }

  /** Revokes every access token of the user's device except `keepTokenId`. */
  async revokeOtherTokens(trx: Knex.Transaction, userId: string, deviceId: string, keepTokenId: number): Promise<void> {
    this.revoked(userId, trx);
    await trx('access_tokens').where({ user_id: userId, device_id: deviceId }).whereNot('id', keepTokenId).delete();
  }
}
