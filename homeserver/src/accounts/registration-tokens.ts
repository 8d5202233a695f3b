// Registration tokens: https://spec.matrix.org/v1.19/client-server-api/#token-authenticated-registration
// A token is valid while it has uses left (pending + completed < uses_allowed) and has not expired.
// The m.login.registration_token stage reserves a use (pending); registration turns it into completed.
import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import type { Database } from '../db/database.js';

const FIRST_RUN_KEY = 'first_run_registration_token';

export class RegistrationTokens {
  constructor(private readonly db: Database) {}

  private usable(q: Knex.QueryBuilder, now: number): Knex.QueryBuilder {
    return q
      .where((w) => w.whereNull('uses_allowed').orWhereRaw('pending + completed < uses_allowed'))
      .where((w) => w.whereNull('expiry_time').orWhere('expiry_time', '>', now));
  }

  async isValid(token: string): Promise<boolean> {
    return !!(await this.usable(this.db('registration_tokens').where({ token }), Date.now()).first('token'));
  }

  /** Reserves one use of the token; false if it is not valid. */
  async reserve(trx: Knex | Knex.Transaction, token: string): Promise<boolean> {
    const n = await this.usable(trx('registration_tokens').where({ token }), Date.now()).increment('pending', 1);
    return (n as unknown as number) > 0;
  }

  async complete(trx: Knex.Transaction, token: string): Promise<void> {
    await trx('registration_tokens').where({ token }).update({ pending: trx.raw('greatest(pending - 1, 0)'), completed: trx.raw('completed + 1') });
  }

  async release(trx: Knex | Knex.Transaction, token: string): Promise<void> {
    await trx('registration_tokens').where({ token }).update({ pending: trx.raw('greatest(pending - 1, 0)') });
  }

  async create(opts: { token?: string; usesAllowed?: number | null; expiryTime?: number | null } = {}): Promise<string> {
    const token = opts.token ?? randomBytes(12).toString('base64url');
    await this.db('registration_tokens')
      .insert({ token, uses_allowed: opts.usesAllowed ?? null, expiry_time: opts.expiryTime ?? null, created_ts: Date.now() })
      .onConflict('token')
      .ignore();
    return token;
  }

  /**
   * The one-use token printed at first start, shared by every process of the install.
   * Returns undefined (and retires any earlier one) once a user exists.
   */
  async firstRunToken(anyUserExists: boolean): Promise<string | undefined> {
    const row = await this.db('server_settings').where({ key: FIRST_RUN_KEY }).first('value');
    if (anyUserExists) {
      if (row) await this.retireFirstRunToken();
      return undefined;
    }
    if (row && (await this.isValid(row.value as string))) return row.value as string;
    const token = await this.create({ usesAllowed: 1 });
    await this.db('server_settings')
      .insert({ key: FIRST_RUN_KEY, value: JSON.stringify(token) })
      .onConflict('key')
      .merge();
    return token;
  }

  async retireFirstRunToken(trx: Knex | Knex.Transaction = this.db): Promise<void> {
    const row = await trx('server_settings').where({ key: FIRST_RUN_KEY }).first('value');
    if (!row) return;
    await trx('registration_tokens').where({ token: row.value }).delete();
    await trx('server_settings').where({ key: FIRST_RUN_KEY }).delete();
  }
}
