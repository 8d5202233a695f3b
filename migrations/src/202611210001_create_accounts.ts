import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('users', (t) => {
    t.text('user_id').primary();
    t.text('localpart').notNullable().unique();
    t.text('password_hash');
    t.boolean('admin').notNullable().defaultTo(false);
    t.boolean('deactivated').notNullable().defaultTo(false);
    t.boolean('is_guest').notNullable().defaultTo(false);
    t.text('displayname');
    t.text('avatar_url');
    // Profile fields other than displayname and avatar_url (m.tz, custom keys): https://spec.matrix.org/v1.19/client-server-api/#profiles
    t.jsonb('profile_fields').notNullable().defaultTo('{}');
    t.bigInteger('created_ts').notNullable();
  });
  await knex.schema.createTable('devices', (t) => {
    t.text('user_id').notNullable().references('user_id').inTable('users').onDelete('CASCADE');
    t.text('device_id').notNullable();
    t.text('display_name');
    t.text('last_seen_ip');
    t.bigInteger('last_seen_ts');
    t.bigInteger('created_ts').notNullable();
    t.primary(['user_id', 'device_id']);
  });
  await knex.schema.createTable('access_tokens', (t) => {
    t.bigIncrements('id');
    // sha256 of the token: the token itself is never stored.
    t.binary('token_hash').notNullable().unique();
    t.text('user_id').notNullable();
    t.text('device_id').notNullable();
    t.bigInteger('expires_ts');
    t.bigInteger('refresh_token_id');
    // First use of a refreshed access token retires the refresh token it replaced.
    t.boolean('used').notNullable().defaultTo(false);
    t.bigInteger('created_ts').notNullable();
    t.index(['user_id', 'device_id']);
    t.foreign(['user_id', 'device_id']).references(['user_id', 'device_id']).inTable('devices').onDelete('CASCADE');
  });
  await knex.schema.createTable('refresh_tokens', (t) => {
    t.bigIncrements('id');
    t.binary('token_hash').notNullable().unique();
    t.text('user_id').notNullable();
    t.text('device_id').notNullable();
    // Set once the token has been exchanged; the old one dies when the new one is first used.
    t.bigInteger('next_token_id');
    t.boolean('used').notNullable().defaultTo(false);
    t.bigInteger('created_ts').notNullable();
    t.index(['user_id', 'device_id']);
    t.foreign(['user_id', 'device_id']).references(['user_id', 'device_id']).inTable('devices').onDelete('CASCADE');
  });
  await knex.schema.createTable('registration_tokens', (t) => {
    t.text('token').primary();
    t.integer('uses_allowed');
    t.integer('pending').notNullable().defaultTo(0);
    t.integer('completed').notNullable().defaultTo(0);
    t.bigInteger('expiry_time');
    t.bigInteger('created_ts').notNullable();
  });
  // User-interactive auth sessions: https://spec.matrix.org/v1.19/client-server-api/#user-interactive-authentication-api
  await knex.schema.createTable('uia_sessions', (t) => {
    t.text('session_id').primary();
    /** What the session authorises, e.g. `register` or `delete_devices`. */
    t.text('operation').notNullable();
    /** The authenticated user for operations other than registration. */
    t.text('user_id');
    t.jsonb('completed').notNullable().defaultTo('[]');
    /** Registration token reserved by the m.login.registration_token stage (counted as pending). */
    t.text('registration_token');
    t.bigInteger('created_ts').notNullable().index();
  });
  // Nonces of Synapse's shared-secret admin registration (/_synapse/admin/v1/register).
  await knex.schema.createTable('admin_register_nonces', (t) => {
    t.text('nonce').primary();
    t.bigInteger('created_ts').notNullable();
  });
  await knex.schema.createTable('server_settings', (t) => {
    t.text('key').primary();
    t.jsonb('value').notNullable();
  });
}
