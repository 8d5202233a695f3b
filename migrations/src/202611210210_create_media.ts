import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  // One row per mxc:// URI, local or cached remote. The bytes live in the content store under
  // their sha256, shared by every row (and thumbnail) with the same content.
  await knex.schema.createTable('media', (t) => {
    t.text('server_name').notNullable();
    t.text('media_id').notNullable();
    /** Local uploader; null for remote media and server-made media (URL preview images). */
    t.text('user_id');
    t.text('content_type');
    t.text('upload_name');
    t.bigInteger('size');
    /** Null while an asynchronous upload (POST /create) waits for its bytes. */
    t.text('sha256');
    t.bigInteger('created_ts').notNullable();
    /** Deadline of a pending asynchronous upload. */
    t.bigInteger('unused_expires_ts');
    t.bigInteger('last_access_ts');
    t.primary(['server_name', 'media_id']);
    t.index(['user_id']);
    t.index(['sha256']);
  });
  await knex.schema.createTable('media_thumbnails', (t) => {
    t.text('server_name').notNullable();
    t.text('media_id').notNullable();
    t.integer('width').notNullable();
    t.integer('height').notNullable();
    t.text('method').notNullable();
    t.boolean('animated').notNullable();
    t.text('content_type').notNullable();
    t.bigInteger('size').notNullable();
    t.text('sha256').notNullable();
    t.bigInteger('created_ts').notNullable();
    t.primary(['server_name', 'media_id', 'width', 'height', 'method', 'animated']);
    t.foreign(['server_name', 'media_id']).references(['server_name', 'media_id']).inTable('media').onDelete('CASCADE');
    t.index(['sha256']);
  });
  await knex.schema.createTable('url_previews', (t) => {
    t.text('url').primary();
    t.jsonb('og').notNullable();
    t.bigInteger('fetched_ts').notNullable();
    t.bigInteger('expires_ts').notNullable();
  });
}
