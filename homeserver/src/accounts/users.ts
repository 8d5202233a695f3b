// The users table: creation (the first account becomes an admin), lookup, password, deactivation.
import { Errors } from '@parley/spec';
import type { Knex } from 'knex';
import type { Database } from '../db/database.js';
import { runPrepared, type PreparedStatement } from '../db/prepared.js';
import { userIdFor } from './usernames.js';

export interface UserRow {
  user_id: string;
  localpart: string;
  password_hash: string | null;
  admin: boolean;
  deactivated: boolean;
  is_guest: boolean;
  displayname: string | null;
  avatar_url: string | null;
}

export interface NewUser {
  localpart: string;
  passwordHash: string | null;
  admin?: boolean;
  displayname?: string;
}

export type UserCredentials = Pick<UserRow, 'user_id' | 'password_hash' | 'deactivated'>;

const FIRST_ADMIN_KEY = 'first_admin';

const CREDENTIALS_BY_LOCALPART: PreparedStatement = {
  name: 'users_credentials_by_localpart',
  text: 'SELECT user_id, password_hash, deactivated FROM users WHERE localpart = $1',
};

export class UserStore {
  constructor(
    private readonly db: Database,
    private readonly serverName: string,
  ) {}

  userId(localpart: string): string {
    return userIdFor(localpart, this.serverName);
  }

  /**
   * Inserts the user inside `trx`. The first account ever created claims the `first_admin`
   * setting and becomes an admin. Throws M_USER_IN_USE if the localpart is taken.
   */
  async create(trx: Knex.Transaction, user: NewUser): Promise<{ userId: string; admin: boolean }> {
    const userId = this.userId(user.localpart);
    const claimed = await trx('server_settings')
      .insert({ key: FIRST_ADMIN_KEY, value: JSON.stringify(userId) })
      .onConflict('key')
      .ignore()
      .returning('key');
    const admin = (user.admin ?? false) || claimed.length > 0;
    const inserted = await trx('users')
      .insert({
        user_id: userId,
        localpart: user.localpart,
        password_hash: user.passwordHash,
        admin,
        displayname: user.displayname ?? user.localpart,
        created_ts: Date.now(),
      })
      .onConflict('user_id')
      .ignore()
      .returning('user_id');
    if (inserted.length === 0) throw Errors.userInUse();
    return { userId, admin };
  }

  async exists(localpart: string): Promise<boolean> {
    return !!(await this.db('users').where({ localpart }).first('user_id'));
  }

  async anyExists(): Promise<boolean> {
    return !!(await this.db('users').first('user_id'));
  }

  /** What a password login needs to know of the account (a prepared statement: every login runs it). */
  async credentials(localpart: string): Promise<UserCredentials | undefined> {
    const [row] = await runPrepared<UserCredentials>(this.db, CREDENTIALS_BY_LOCALPART, [localpart]);
    return row;
  }

  async byId(userId: string): Promise<UserRow | undefined> {
    return this.db('users').where({ user_id: userId }).first();
  }

  /**
   * Inside `trx`: whether `passwordHash` is still the user's and the account active. Holds the
   * user's row (FOR SHARE) until commit, so a password change or deactivation waits for it.
   */
  async credentialsStillCurrent(trx: Knex.Transaction, userId: string, passwordHash: string): Promise<boolean> {
    const row = await trx('users').where({ user_id: userId, password_hash: passwordHash, deactivated: false }).forShare().first('user_id');
    return row !== undefined;
  }

  async setPasswordHash(trx: Knex.Transaction, userId: string, hash: string | null): Promise<void> {
    await trx('users').where({ user_id: userId }).update({ password_hash: hash });
  }

  async markDeactivated(trx: Knex.Transaction, userId: string, erase: boolean): Promise<void> {
    await trx('users')
      .where({ user_id: userId })
      .update({
        deactivated: true,
        password_hash: null,
        ...(erase ? { displayname: null, avatar_url: null, profile_fields: '{}' } : {}),
      });
  }
}
