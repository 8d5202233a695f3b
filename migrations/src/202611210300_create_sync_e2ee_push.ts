// Per-user and ephemeral data behind /sync: receipts, presence, to-device messages, end-to-end
// encryption keys, device-list changes, push rules, pushers, notifications and sync filters.
//
// Streams (receipts, presence, to_device, device_lists, push_rules) take their positions from
// one row each in stream_positions, incremented in the writer's transaction: the row lock holds
// other writers until commit, so the committed positions of a stream are always a prefix and a
// reader of stream_positions never skips a row that commits later with a smaller position.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('stream_positions', (t) => {
    t.text('stream').primary();
    t.bigInteger('position').notNullable();
  });
  await knex('stream_positions').insert(
    ['receipts', 'presence', 'to_device', 'device_lists', 'push_rules'].map((stream) => ({ stream, position: 0 })),
  );

  // https://spec.matrix.org/v1.19/client-server-api/#receipts ; thread_id '' is the unthreaded receipt.
  await knex.schema.createTable('receipts', (t) => {
    t.text('room_id').notNullable();
    t.text('receipt_type').notNullable();
    t.text('user_id').notNullable();
    t.text('thread_id').notNullable().defaultTo('');
    t.text('event_id').notNullable();
    /** stream_ordering of the receipted event, for unread counts (null while unknown). */
    t.bigInteger('event_stream_ordering');
    t.jsonb('data').notNullable();
    t.bigInteger('stream_id').notNullable();
    t.primary(['room_id', 'receipt_type', 'user_id', 'thread_id']);
    t.index(['stream_id']);
    t.index(['user_id', 'room_id']);
  });

  await knex.schema.createTable('presence', (t) => {
    t.text('user_id').primary();
    t.text('state').notNullable();
    t.text('status_msg');
    t.bigInteger('last_active_ts').notNullable();
    t.boolean('currently_active').notNullable().defaultTo(false);
    t.bigInteger('stream_id').notNullable();
    t.index(['stream_id']);
  });

  await knex.schema.createTable('to_device_messages', (t) => {
    t.bigInteger('stream_id').primary();
    t.text('user_id').notNullable();
    t.text('device_id').notNullable();
    t.text('sender').notNullable();
    t.text('type').notNullable();
    t.jsonb('content').notNullable();
    t.bigInteger('created_ts').notNullable();
    t.index(['user_id', 'device_id', 'stream_id']);
  });
  // Idempotency of PUT /sendToDevice/{eventType}/{txnId}.
  await knex.schema.createTable('to_device_txns', (t) => {
    t.text('user_id').notNullable();
    t.text('device_id').notNullable();
    t.text('txn_id').notNullable();
    t.bigInteger('created_ts').notNullable();
    t.primary(['user_id', 'device_id', 'txn_id']);
  });

  // https://spec.matrix.org/v1.19/client-server-api/#key-management-api
  await knex.schema.createTable('e2e_device_keys', (t) => {
    t.text('user_id').notNullable();
    t.text('device_id').notNullable();
    t.jsonb('keys').notNullable();
    t.bigInteger('updated_ts').notNullable();
    t.primary(['user_id', 'device_id']);
  });
  await knex.schema.createTable('e2e_one_time_keys', (t) => {
    t.text('user_id').notNullable();
    t.text('device_id').notNullable();
    t.text('algorithm').notNullable();
    t.text('key_id').notNullable();
    t.jsonb('key').notNullable();
    t.primary(['user_id', 'device_id', 'algorithm', 'key_id']);
  });
  await knex.schema.createTable('e2e_fallback_keys', (t) => {
    t.text('user_id').notNullable();
    t.text('device_id').notNullable();
    t.text('algorithm').notNullable();
    t.text('key_id').notNullable();
    t.jsonb('key').notNullable();
    t.boolean('used').notNullable().defaultTo(false);
    t.primary(['user_id', 'device_id', 'algorithm']);
  });
  // usage: master | self_signing | user_signing
  await knex.schema.createTable('e2e_cross_signing_keys', (t) => {
    t.text('user_id').notNullable();
    t.text('usage').notNullable();
    t.text('public_key').notNullable();
    t.jsonb('key').notNullable();
    t.bigInteger('updated_ts').notNullable();
    t.primary(['user_id', 'usage']);
  });
  // A signature by (signer_user_id, signer_key_id) over target_key_id (a device id or a cross-signing public key).
  await knex.schema.createTable('e2e_signatures', (t) => {
    t.text('target_user_id').notNullable();
    t.text('target_key_id').notNullable();
    t.text('signer_user_id').notNullable();
    t.text('signer_key_id').notNullable();
    t.text('signature').notNullable();
    t.primary(['target_user_id', 'target_key_id', 'signer_user_id', 'signer_key_id']);
  });
  // Append-only: a user's device list (or cross-signing keys) changed at stream_id.
  await knex.schema.createTable('device_list_changes', (t) => {
    t.bigInteger('stream_id').primary();
    t.text('user_id').notNullable();
    t.index(['user_id', 'stream_id']);
  });

  // https://spec.matrix.org/v1.19/client-server-api/#server-side-key-backups
  await knex.schema.createTable('e2e_backup_versions', (t) => {
    t.text('user_id').notNullable();
    t.bigInteger('version').notNullable();
    t.text('algorithm').notNullable();
    t.jsonb('auth_data').notNullable();
    t.bigInteger('etag').notNullable().defaultTo(0);
    t.boolean('deleted').notNullable().defaultTo(false);
    t.primary(['user_id', 'version']);
  });
  await knex.schema.createTable('e2e_backup_keys', (t) => {
    t.text('user_id').notNullable();
    t.bigInteger('version').notNullable();
    t.text('room_id').notNullable();
    t.text('session_id').notNullable();
    t.integer('first_message_index').notNullable();
    t.integer('forwarded_count').notNullable();
    t.boolean('is_verified').notNullable();
    t.jsonb('session_data').notNullable();
    t.primary(['user_id', 'version', 'room_id', 'session_id']);
  });

  // https://spec.matrix.org/v1.19/client-server-api/#push-rules ; user-defined rules in their kind,
  // ordered by priority (higher first), and the user's changes to server-default rules.
  await knex.schema.createTable('push_rules', (t) => {
    t.text('user_id').notNullable();
    t.text('kind').notNullable();
    t.text('rule_id').notNullable();
    t.double('priority').notNullable();
    t.jsonb('conditions');
    t.text('pattern');
    t.jsonb('actions').notNullable();
    t.boolean('enabled').notNullable().defaultTo(true);
    t.primary(['user_id', 'kind', 'rule_id']);
  });
  await knex.schema.createTable('push_rule_overrides', (t) => {
    t.text('user_id').notNullable();
    t.text('rule_id').notNullable();
    t.boolean('enabled');
    t.jsonb('actions');
    t.primary(['user_id', 'rule_id']);
  });
  // The position at which a user's push rules last changed (they appear in sync as m.push_rules).
  await knex.schema.createTable('push_rules_changes', (t) => {
    t.text('user_id').primary();
    t.bigInteger('stream_id').notNullable();
  });

  await knex.schema.createTable('pushers', (t) => {
    t.text('user_id').notNullable();
    t.text('app_id').notNullable();
    t.text('pushkey').notNullable();
    t.text('kind').notNullable();
    t.text('app_display_name').notNullable();
    t.text('device_display_name').notNullable();
    t.text('profile_tag');
    t.text('lang').notNullable();
    t.jsonb('data').notNullable();
    t.text('device_id');
    t.bigInteger('created_ts').notNullable();
    t.primary(['user_id', 'app_id', 'pushkey']);
  });

  // One row per (user, event) that a push rule told to notify or highlight.
  await knex.schema.createTable('notifications', (t) => {
    t.bigIncrements('id');
    t.text('user_id').notNullable();
    t.text('room_id').notNullable();
    t.text('event_id').notNullable();
    t.bigInteger('stream_ordering').notNullable();
    t.text('thread_id');
    t.jsonb('actions').notNullable();
    t.boolean('highlight').notNullable();
    t.bigInteger('ts').notNullable();
    t.unique(['user_id', 'event_id']);
    t.index(['user_id', 'room_id', 'stream_ordering']);
    t.index(['user_id', 'stream_ordering']);
  });

  // https://spec.matrix.org/v1.19/client-server-api/#filtering
  await knex.schema.createTable('sync_filters', (t) => {
    t.text('user_id').notNullable();
    t.bigInteger('filter_id').notNullable();
    t.jsonb('filter').notNullable();
    t.primary(['user_id', 'filter_id']);
  });
}
