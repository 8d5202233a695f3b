// The users table: creation (the first account becomes an admin), lookup, password, deactivation.
import { Errors } from '@parley/spec';
import type { Knex } from 'knex';
import type { Database } from '../db/database.js';
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

const FIRST_ADMIN_KEY = 'first_admin';

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

  async byLocalpart(localpart: string): Promise<UserRow | undefined> {
    return this.db('users').where({ localpart }).first();
  }

  async byId(userId: string): Promise<UserRow | undefined> {
    return this.db('users').where({ user_id: userId }).first();
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
